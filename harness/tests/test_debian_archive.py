"""The stacks' packages are chosen from the project's own apt lists: the newest
of a series, by number, and never a -dbg or -unsigned variant."""
from sockspec.debian_archive import KERNELS, newest


def test_newest_orders_by_number_not_text():
    names = ["linux-image-5.10.0-9-cloud-amd64", "linux-image-5.10.0-32-cloud-amd64",
             "linux-image-5.10.0-32-cloud-amd64-dbg", "linux-image-5.10.0-33-cloud-amd64-unsigned"]
    assert newest(names, KERNELS["5.10"].pattern) == "linux-image-5.10.0-32-cloud-amd64"


def test_newest_of_sid_is_the_split_binary_package():
    names = ["linux-binary-7.2.13+deb14-cloud-amd64", "linux-binary-7.2.13+deb14-rt-amd64",
             "linux-binary-7.2.9+deb14-cloud-amd64", "linux-modules-7.2.13+deb14-cloud-amd64"]
    assert newest(names, KERNELS["7.2"].pattern) == "linux-binary-7.2.13+deb14-cloud-amd64"


def test_no_match_is_none():
    assert newest(["linux-image-6.1.0-5-rt-amd64"], KERNELS["6.1"].pattern) is None
