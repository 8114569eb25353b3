"""Laptop recovery keys: how a second professional, or one whose password was reset, opens
a laptop's store without the first professional's password.

The laptop seals its database key with a random recovery key and keeps only the sealed copy;
the server keeps only the recovery key. It is handed out with an enrolment (the password
just proved) to a professional of the laptop's CMS, never to anyone else, never once the
laptop is reported stolen. docs/security.md says what this protects and what it does not.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from sync_server.models import Device, LaptopRecovery, UserAccount, utcnow


class RecoveryMismatchError(Exception):
    """The server holds another key for this laptop: the proposal is refused."""


def hand_out(
    session: Session, install_id: str | None, user: UserAccount, proposal: str | None
) -> str | None:
    """The laptop's recovery key for ``user`` (who has just proved their password), keeping
    ``proposal`` first if the server has none. None: not of this CMS, stolen, or unknown."""
    if not install_id:
        return None
    recovery = session.get(LaptopRecovery, install_id)
    if recovery is None:
        if proposal is None:
            return None
        recovery = LaptopRecovery(
            install_id=install_id,
            cms_code=user.cms_code,
            recovery_key=proposal,
            deposited_by=user.username,
        )
        session.add(recovery)
        session.flush()
    if recovery.blocked_at is not None or recovery.cms_code != user.cms_code:
        return None
    return recovery.recovery_key


def deposit(session: Session, install_id: str, cms_code: str, username: str, key: str) -> bool:
    """Keep the key a logged-in laptop sends (one the server lost in a restore, or a laptop
    set up before recovery existed). True when kept or already the same."""
    recovery = session.get(LaptopRecovery, install_id)
    if recovery is None:
        session.add(
            LaptopRecovery(
                install_id=install_id, cms_code=cms_code, recovery_key=key, deposited_by=username
            )
        )
        session.flush()
        return True
    if recovery.cms_code != cms_code or recovery.recovery_key != key:
        raise RecoveryMismatchError(install_id)
    return True


def block_laptop(session: Session, device: Device) -> list[str]:
    """A stolen laptop: its recovery key is never handed out again and every device token of
    that laptop is refused. Returns the revoked device ids."""
    now = utcnow()
    if device.install_id is None:
        devices = [device]
    else:
        devices = list(
            session.exec(select(Device).where(col(Device.install_id) == device.install_id)).all()
        )
        recovery = session.get(LaptopRecovery, device.install_id)
        if recovery is None:  # blocked before any key arrives: a later deposit stays blocked
            recovery = LaptopRecovery(
                install_id=device.install_id,
                cms_code="",
                recovery_key="",
                deposited_by="",
            )
        recovery.blocked_at = recovery.blocked_at or now
        session.add(recovery)
    for stolen in devices:
        stolen.revoked_at = stolen.revoked_at or now
        session.add(stolen)
    return [stolen.id for stolen in devices]
