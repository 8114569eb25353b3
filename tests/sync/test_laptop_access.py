"""One laptop, several professionals, no dead end — end to end against the real server.

A second professional enrols on a laptop already set up; a refused token (revoked, a server
restored from a backup older than the enrolment) is replaced by an online login and what
waited leaves exactly once; a password changed on the laptop reaches the server at the next
sync; a password reset at the CMS reopens the laptop online with its unsynced work.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import FAST_KDF
from tests.sync.conftest import PASSWORD, SyncServer, Van, add_person, serving
from tests.sync.helpers import TODAY, ServerDatabase, edit, record_pmi, rows
from tests.sync.test_restore import backup, restore
from van_app import config
from van_app.core.keystore import Keystore, UnverifiedPasswordError, WrongPasswordError
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary
from van_app.core.outbox import OutboxEntry
from van_app.sync import account_upkeep
from van_app.sync.client import DeviceNotAuthorizedError, SyncClient
from van_app.sync.credentials import TokenStore
from van_app.sync.engine import SyncEngine
from van_app.sync.enrolment import NoRecoveryError, enrol_device, obtain_token, token_store
from van_app.sync.login import log_in

NEW_PASSWORD = "Lavande-de-Nyons-2027"


@pytest.fixture(autouse=True)
def _memory_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAN_APP_KEYRING_BACKEND", "memory")


def login(data_dir: Path, url: str, username: str, password: str) -> LocalStore:
    """The login screen's decision, with the tests' cheap Argon2 cost."""
    return log_in(data_dir, url, username, password, kdf=FAST_KDF)


def colleague(server: SyncServer, van: Van, role: str, prefix: str = "b") -> str:
    """A second account in the van's CMS."""
    username = f"{prefix}{van.username}"
    server.admin(
        "create-user", username, "--display-name", "Binh Nguyen", "--role", role,
        "--cms", van.store.user.cms_code, "--password", PASSWORD,
    )  # fmt: skip
    return username


def second_van(van: Van, store: LocalStore, url: str) -> Van:
    return Van(
        van.data_dir, store, SyncClient(url, token_store(store).get(url, store.user.username))
    )


def server_people(server: SyncServer, van: Van) -> dict[str, object]:
    database = ServerDatabase(server, van.store.user.cms_code)
    try:
        return dict(database.records("beneficiary"))
    finally:
        database.close()


def test_a_second_professional_enrols_on_a_set_up_laptop_and_each_syncs_with_their_own_token(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social = enrol("amartin")
    nurse_name = colleague(sync_server, social, "pmi_nurse")
    mine = add_person(social, "Sociale")
    social.store.close()

    # On the login screen of the same laptop: the nurse's server password, online once.
    nurse_store = login(social.data_dir, sync_server.url, nurse_name, PASSWORD)
    nurse = second_van(social, nurse_store, sync_server.url)
    assert nurse.store.user.roles == ("pmi_nurse",)
    assert Keystore(social.data_dir / config.KEYS_FILE).usernames() == sorted(
        [social.username, nurse_name]
    )
    baby = add_person(nurse, "Bébé", "Léo", sex="M", birth_date=TODAY - dt.timedelta(days=120))
    record_pmi(nurse, baby)
    report = nurse.sync()
    assert report.verified
    people = server_people(sync_server, social)
    assert baby in people and mine not in people  # the social worker's leaves with her login
    assert people[baby].author == nurse_name
    nurse.close()

    # Each then logs in offline with their own password; hers leaves with her token.
    again = LocalStore.open(social.data_dir, social.username, PASSWORD)
    social = second_van(social, again, sync_server.url)
    assert social.sync().verified
    people = server_people(sync_server, social)
    assert people[mine].author == social.username
    assert rows(social, OutboxEntry) == []
    social.close()
    offline = LocalStore.open(social.data_dir, nurse_name, PASSWORD)
    assert offline.user.username == nurse_name
    offline.close()


def test_a_professional_of_another_cms_or_a_stolen_laptop_gets_no_key(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social = enrol("amartin")
    person = add_person(social, "Gardée")
    outsider = enrol("dvalence")  # another CMS
    outsider.close()
    social.store.close()
    with pytest.raises(NoRecoveryError, match="autre CMS"):
        login(social.data_dir, sync_server.url, outsider.username, PASSWORD)
    assert Keystore(social.data_dir / config.KEYS_FILE).usernames() == [social.username]

    # Reported stolen: no colleague's login opens it any more, and its tokens are refused.
    device_id = sync_server.admin("list-devices", social.username).split()[0]
    sync_server.admin("revoke-device", device_id, "--stolen")
    nurse_name = colleague(sync_server, social, "pmi_nurse")
    with pytest.raises(NoRecoveryError):
        login(social.data_dir, sync_server.url, nurse_name, PASSWORD)
    store = LocalStore.open(social.data_dir, social.username, PASSWORD)  # her own password
    try:
        with store.read_session() as session:
            assert session.get(Beneficiary, person) is not None
        with pytest.raises(DeviceNotAuthorizedError):
            SyncEngine(store, social.client).run()
    finally:
        store.close()


def test_reenrolment_after_a_revocation_delivers_what_waited_exactly_once(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social = enrol("amartin")
    synced = add_person(social, "Avant")
    assert social.sync().verified
    device_id = sync_server.admin("list-devices", social.username).split()[0]
    sync_server.admin("revoke-device", device_id)  # by mistake
    waiting = add_person(social, "Pendant")
    edit(social, synced, "phone", "0475112233")
    with pytest.raises(DeviceNotAuthorizedError) as refused:
        social.sync()
    assert refused.value.code == "device_revoked"

    token = obtain_token(social.store, sync_server.url, PASSWORD)  # "Réinscrire ce poste"
    social.client = SyncClient(sync_server.url, token)
    report = social.sync()
    assert report.verified and report.pushed == 2
    assert social.sync().pushed == 0  # nothing twice
    people = server_people(sync_server, social)
    assert set(people) == {synced, waiting}
    assert people[synced].fields["phone"] == "0475112233"
    assert rows(social, OutboxEntry) == []


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncServer]:
    """A server this test alone restores from a backup."""
    with serving(tmp_path_factory.mktemp("own-cms")) as server:
        yield server


def test_reenrolment_after_a_restore_older_than_the_enrolment(
    own_server: SyncServer, tmp_path: Path
) -> None:
    own_server.admin(
        "create-user", "amartin", "--display-name", "Agnès Martin", "--role", "social_worker",
        "--cms", "CMS-R", "--password", PASSWORD,
    )  # fmt: skip
    copy = backup(own_server)  # before the laptop was ever enrolled
    tokens = TokenStore()
    folder = tmp_path / "van"
    store = enrol_device(folder, own_server.url, "amartin", PASSWORD, tokens=tokens, kdf=FAST_KDF)
    van = Van(folder, store, SyncClient(own_server.url, tokens.get(own_server.url, "amartin")))
    before = add_person(van, "Avant")
    assert van.sync().verified
    after = add_person(van, "Après")  # never synced
    restore(own_server, copy)
    own_server.admin("mark-restored")
    own_server.start()
    with pytest.raises(DeviceNotAuthorizedError) as refused:
        van.sync()
    assert refused.value.code == "invalid_token"

    van.client = SyncClient(own_server.url, obtain_token(van.store, own_server.url, PASSWORD))
    reports = [van.sync(), van.sync()]
    assert reports[-1].verified, reports[-1].mismatches
    people = server_people(own_server, van)
    assert set(people) == {before, after}  # none lost, none twice
    assert all(p.author == "amartin" for p in people.values())
    assert rows(van, OutboxEntry) == []
    # The restored server had lost the laptop's recovery key: the session deposited it again.
    account_upkeep.run(van.store, van.client)
    van.close()
    own_server.admin(
        "create-user", "bnguyen", "--display-name", "Binh Nguyen", "--role", "pmi_nurse",
        "--cms", "CMS-R", "--password", PASSWORD,
    )  # fmt: skip
    nurse = login(folder, own_server.url, "bnguyen", PASSWORD)
    nurse.close()


def test_a_password_changed_on_the_laptop_reaches_the_server_at_the_next_sync(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social = enrol("amartin")
    with pytest.raises(WrongPasswordError):
        account_upkeep.change_password(social.store, "pas-le-bon", NEW_PASSWORD, FAST_KDF)
    account_upkeep.change_password(social.store, PASSWORD, NEW_PASSWORD, FAST_KDF)
    assert account_upkeep.password_change_waiting(social.store)
    keystore = Keystore(social.data_dir / config.KEYS_FILE)
    keystore.unlock(social.username, NEW_PASSWORD)  # the laptop opens with the new one now
    with pytest.raises(WrongPasswordError):
        keystore.unlock(social.username, PASSWORD)
    probe = SyncClient(sync_server.url)
    probe.enrol(social.username, PASSWORD, "sonde")  # the server still has the old one

    assert account_upkeep.run(social.store, social.client) == ""
    assert not account_upkeep.password_change_waiting(social.store)
    probe.enrol(social.username, NEW_PASSWORD, "sonde")
    with pytest.raises(DeviceNotAuthorizedError) as old:
        probe.enrol(social.username, PASSWORD, "sonde")
    assert old.value.wrong_password
    probe.close()


def test_a_password_reset_at_the_cms_reopens_the_laptop_with_its_unsynced_work(  # type: ignore[no-untyped-def]
    enrol, sync_server: SyncServer
) -> None:
    social = enrol("amartin")
    account_upkeep.run(social.store, social.client)  # the session deposits the recovery key
    person = add_person(social, "NonEnvoyée")
    edit(social, person, "phone", "0475998877")
    waiting = len(rows(social, OutboxEntry))
    social.close()
    sync_server.admin("reset-password", social.username, "--password", NEW_PASSWORD)

    # Offline, the new password cannot be checked: said, nothing touched.
    with pytest.raises(UnverifiedPasswordError):
        login(social.data_dir, "http://127.0.0.1:9", social.username, NEW_PASSWORD)
    # A wrong password online is refused by the server as well.
    with pytest.raises(WrongPasswordError):
        login(social.data_dir, sync_server.url, social.username, "toujours-pas-le-bon")

    store = login(social.data_dir, sync_server.url, social.username, NEW_PASSWORD)
    reopened = second_van(social, store, sync_server.url)
    assert len(rows(reopened, OutboxEntry)) == waiting
    with store.read_session() as session:
        assert session.get(Beneficiary, person).phone == "0475998877"
    assert reopened.sync().verified
    assert person in server_people(sync_server, reopened)
    reopened.close()
    LocalStore.open(social.data_dir, social.username, NEW_PASSWORD).close()  # offline from now
    with pytest.raises(WrongPasswordError):
        LocalStore.open(social.data_dir, social.username, PASSWORD)


def test_the_server_alone_cannot_open_a_laptop(enrol, sync_server: SyncServer) -> None:  # type: ignore[no-untyped-def]
    """The recovery key opens only the sealed copy kept on the laptop; another key, or the
    key without the laptop's keys.json, opens nothing."""
    social = enrol("amartin")
    install_id, key = social.store.recovery_key()
    keystore = Keystore(social.data_dir / config.KEYS_FILE)
    assert keystore.unlock_with_recovery(key) == social.store.database_key
    with pytest.raises(WrongPasswordError):
        keystore.unlock_with_recovery(secrets.token_bytes(32))
    assert base64.b64encode(key).decode() not in (social.data_dir / config.KEYS_FILE).read_text()
    assert install_id == keystore.install_id()


def test_a_colleague_is_removed_from_the_laptop(enrol, sync_server: SyncServer) -> None:  # type: ignore[no-untyped-def]
    social = enrol("amartin")
    nurse_name = colleague(sync_server, social, "pmi_nurse")
    social.store.close()
    login(social.data_dir, sync_server.url, nurse_name, PASSWORD).close()
    store = LocalStore.open(social.data_dir, social.username, PASSWORD)
    store.remove_professional(nurse_name)
    assert Keystore(social.data_dir / config.KEYS_FILE).usernames() == [social.username]
    with pytest.raises(WrongPasswordError):
        LocalStore.open(social.data_dir, nurse_name, PASSWORD)
    with store.read_session() as session:
        assert session.exec(select(Beneficiary)).all() == []
    store.close()
