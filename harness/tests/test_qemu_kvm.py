"""KVM is tried once per host, qemu and guest kernel; a failed check is
remembered, so later boots go straight to TCG."""
import pytest

from sockspec.errors import TargetError
from sockspec.targets import qemu_kvm


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu_kvm, "kvm_opens", lambda: True)
    monkeypatch.setattr(qemu_kvm, "qemu_version", lambda: "QEMU emulator version 7.2")
    image = tmp_path / "vmlinuz-test"
    image.write_bytes(b"not a kernel")
    return image


def test_a_failed_check_is_remembered_and_not_tried_again(kernel, tmp_path):
    tries = []

    def hangs(accel, timeout_s):
        tries.append((accel, timeout_s))
        raise TargetError("the guest agent did not answer in time")

    guest, note = qemu_kvm.boot_trying_kvm(hangs, tmp_path, kernel)
    assert guest is None and note.startswith("KVM check failed") and "did not answer" in note
    assert tries == [("kvm", qemu_kvm.KVM_CHECK_TIMEOUT_S)]
    guest, note = qemu_kvm.boot_trying_kvm(hangs, tmp_path, kernel)
    assert guest is None and note.startswith("KVM skipped: an earlier check failed")
    assert len(tries) == 1


def test_a_working_kvm_keeps_the_guest(kernel, tmp_path):
    booted = object()
    guest, note = qemu_kvm.boot_trying_kvm(lambda accel, timeout_s: booted, tmp_path, kernel)
    assert guest is booted and note == "KVM check passed: the guest booted under KVM"


def test_no_dev_kvm_is_not_tried(kernel, tmp_path, monkeypatch):
    monkeypatch.setattr(qemu_kvm, "kvm_opens", lambda: False)
    guest, note = qemu_kvm.boot_trying_kvm(lambda *a: pytest.fail("booted"), tmp_path, kernel)
    assert guest is None and note == "KVM skipped: /dev/kvm cannot be opened"
