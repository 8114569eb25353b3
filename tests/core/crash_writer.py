"""A process that writes consultations until it is killed (used by test_durability).

Reads the database key in hex on stdin, prints "ready", then commits consultations in a
loop, each as one transaction: a person, a consultation whose duration says how many
orientations and follow-ups belong to it, and those rows. After each commit it prints the
consultation id, so the test knows which ones were acknowledged before the kill.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from van_app.core.db import make_engine, session_scope
from van_app.core.models import Beneficiary, FollowUp, SocialConsultation, SocialOrientation


def main() -> None:
    db_path, seed = Path(sys.argv[1]), int(sys.argv[2])
    key = bytes.fromhex(sys.stdin.readline().strip())
    rng = random.Random(seed)
    engine = make_engine(db_path, key)
    print("ready", flush=True)
    stamp = {"author": "crash", "device": "dev-crash"}
    while True:
        parts = rng.randint(1, 6)
        with session_scope(engine) as session:
            person = Beneficiary(
                birth_name="Test",
                first_names="Crash",
                birth_date=dt.date(1990, 1, 1),
                sex="F",
                **stamp,
            )
            session.add(person)
            consultation = SocialConsultation(
                beneficiary_id=person.id,
                consultation_date=dt.date(2026, 11, 2),
                duration_minutes=parts,
                demand_types=["logement"],
                note="x" * rng.randint(10, 3000),
                **stamp,
            )
            session.add(consultation)
            session.flush()
            for _ in range(parts):
                session.add(
                    SocialOrientation(
                        consultation_id=consultation.id,
                        partner_code="caf",
                        orientation_date=dt.date(2026, 11, 2),
                        **stamp,
                    )
                )
                session.add(
                    FollowUp(
                        beneficiary_id=person.id,
                        consultation_id=consultation.id,
                        demand_type="logement",
                        opened_on=dt.date(2026, 11, 2),
                        due_on=dt.date(2026, 11, 20),
                        **stamp,
                    )
                )
        print(consultation.id, flush=True)


if __name__ == "__main__":
    main()
