"""The stacks' packages are chosen from the project's own apt lists: the newest
of a series, by number, and never a -dbg or -unsigned variant."""
import pytest

from sockspec.debian_archive import KERNELS, ArchiveError, mirrors, newest, sources_list


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


# apt-get indextargets --format INDEXTARGETS_FORMAT on a Debian 12 machine (other hosts' names).
INDEXTARGETS = """http://mirror.example/debian/ bookworm main Debian
http://mirror.example/debian/ bookworm-updates main Debian
http://security.example/debian-security/ bookworm-security main Debian
http://mirror.example/debian/ bookworm contrib Debian
http://packages.example/apt cloud-sdk main Google
"""


def test_mirrors_are_read_from_apts_own_targets():
    assert mirrors(INDEXTARGETS) == ("http://mirror.example/debian/", "http://security.example/debian-security/")


def test_a_machine_without_security_suite_has_no_security_mirror():
    assert mirrors(INDEXTARGETS.splitlines()[0]) == ("http://mirror.example/debian/", None)
    with pytest.raises(ArchiveError):
        mirrors("http://packages.example/apt cloud-sdk main Google")


def test_every_release_but_sid_has_its_updates_and_security_suites():
    lines = sources_list("http://m/debian/", "http://s/debian-security/").splitlines()
    suites = [line.split()[-2:] for line in lines]
    assert ["bookworm-security", "main"] in suites and ["bookworm-updates", "main"] in suites
    assert ["bullseye-security", "main"] in suites and ["trixie-updates", "main"] in suites
    assert not [s for s, _ in suites if s.startswith("sid-")]
    assert all(line.startswith("deb [signed-by=") for line in lines)
    assert all("http://s/debian-security/" in line for line in lines if "-security" in line)
