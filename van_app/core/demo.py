"""The demo data set: a month of the van's tour in the Diois, both services, all fictional.

Names are drawn from common French first names and surnames and combined at random; no
record describes a real person. Every record goes through the same validation as the app's
forms, so the demo is also a broad check that the rules accept ordinary days. A child seen at
the van also has earlier PMI visits (``demo_pmi``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from pathlib import Path

from van_app import config
from van_app.core import text
from van_app.core.confidentiality import ROLE_LABELS, Role
from van_app.core.db import add_in_dependency_order, session_scope
from van_app.core.demo_pmi import child_visits
from van_app.core.keystore import KdfParams, Keystore
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiConsultation,
    SatisfactionAnswer,
    SocialConsultation,
    SocialOrientation,
    SupervisorReview,
    SyncedRecord,
    TourPattern,
    TourStop,
    utcnow,
)
from van_app.core.reference import ReferenceData, reference
from van_app.core.tour_calendar import occurrences, public_holiday
from van_app.core.validation import (
    raise_if_errors,
    validate_beneficiary,
    validate_follow_up,
    validate_pmi_consultation,
    validate_satisfaction,
    validate_social_consultation,
    validate_tour_stop,
)

DEMO_PASSWORD = "demo"
DEMO_CMS = "CMS-DIE"
DEMO_USERS = (
    ("amartin", "Agnès Martin", ["social_worker"]),
    ("bnguyen", "Binh Nguyen", ["pmi_nurse"]),
    ("croux", "Claire Roux", ["supervisor"]),
)
# (INSEE code, place) of the stops: villages of the Diois, far from the CMS in Die.
DEMO_STOPS = (
    ("26167", "Parking de la salle des fêtes"),
    ("26086", "Place du Reviron, devant la mairie"),
    ("26321", "Place de la Mairie"),
    ("26168", "Parking de la gare"),
    ("26264", "Quai de l'Oule"),
)
SURNAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin "
    "Chevalier Boyer Gauthier Perrin Brun Arnaud Chabert Reynaud Achard Barnier Jullien"
).split()
WOMEN = (
    "Marie Nathalie Isabelle Sylvie Catherine Françoise Sandrine Céline Aurélie Émilie "
    "Julie Camille Léa Manon Chloé Inès Sarah Hélène Josiane Odette Yasmina Fatoumata"
).split()
MEN = (
    "Jean Pierre Michel Philippe Alain Nicolas Christophe Laurent Julien Thomas Kevin "
    "Mehdi Bernard Gérard Lucas Hugo Théo Yanis Rémi Étienne Mamadou"
).split()
BABY_GIRLS = "Jade Louise Emma Alice Ambre Lina Rose Mia Anna Romy".split()
BABY_BOYS = "Gabriel Léo Raphaël Louis Noah Arthur Jules Adam Maël Sacha".split()


class _DemoBuilder:
    """Builds the month in memory, validating each record as the forms would."""

    def __init__(self, ref: ReferenceData, today: dt.date, device: str, seed: int) -> None:
        self.ref = ref
        self.today = today
        self.device = device
        self.rng = random.Random(seed)
        self.records: list[SyncedRecord] = []

    def _add(self, record: SyncedRecord, author: str, day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(
            minutes=self.rng.randint(0, 240)
        )
        record.author = author
        record.device = self.device
        record.created_at = record.updated_at = min(moment, utcnow())
        self.records.append(record)

    def stops(self) -> list[TourStop]:
        stops = []
        start = self.today - dt.timedelta(days=30)
        day, index = start, 0
        while day <= self.today + dt.timedelta(days=14):
            # Tuesdays, Thursdays, and today, on a working day only: the van never goes out on
            # a Sunday, a Saturday or a French public holiday.
            working = day.weekday() < 5 and not public_holiday(day)
            if working and (day.weekday() in (1, 3) or day == self.today):
                insee, place = DEMO_STOPS[index % len(DEMO_STOPS)]
                index += 1
                stop = TourStop(
                    commune_insee=insee,
                    stop_date=day,
                    start_time=dt.time(9, 30),
                    end_time=dt.time(12, 30) if index % 3 else dt.time(16, 0),
                    place=place,
                    services="both" if index % 4 else "social",
                    cms_code=DEMO_CMS,
                    author="",
                    device="",
                )
                raise_if_errors(validate_tour_stop(stop, self.ref))
                self._add(stop, "croux", start)
                stops.append(stop)
            day += dt.timedelta(days=1)
        return stops

    def person(self, insee: str, *, sex: str, born: dt.date, surname: str | None = None):
        first = self.rng.choice(
            (BABY_GIRLS if sex == "F" else BABY_BOYS)
            if (self.today - born).days < 6 * 365
            else (WOMEN if sex == "F" else MEN)
        )
        person = Beneficiary(
            birth_name=surname or self.rng.choice(SURNAMES),
            first_names=first,
            birth_date=born,
            sex=sex,
            commune_insee=insee,
            phone=f"06 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} "
            f"{self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"
            if self.rng.random() < 0.7
            else None,
            known_to_cms=self.rng.random() < 0.5,
            information_date=min(self.today, born + dt.timedelta(days=1)),
            author="",
            device="",
        )
        return person

    def _codes(self, name: str) -> list[str]:
        return [item.code for item in getattr(self.ref, name)]

    def social_day(self, stop: TourStop) -> None:
        social_partners = [
            item.code for item in self.ref.partners if "social" in item.extra.get("services", [])
        ]
        for _ in range(self.rng.randint(2, 5)):
            born = self.today - dt.timedelta(days=self.rng.randint(20 * 365, 85 * 365))
            person = self.person(stop.commune_insee, sex=self.rng.choice("FFM"), born=born)
            person.information_date = stop.stop_date
            raise_if_errors(validate_beneficiary(person, self.ref, self.today))
            self._add(person, "amartin", stop.stop_date)
            outcome = self.rng.choices(
                ["resolved_on_spot", "oriented", "follow_up_opened"], weights=[45, 35, 20]
            )[0]
            consultation = SocialConsultation(
                beneficiary_id=person.id,
                stop_id=stop.id,
                consultation_date=stop.stop_date,
                duration_minutes=self.rng.choice([20, 30, 45, 60]),
                known_before=person.known_to_cms,
                status="signed" if stop.stop_date < self.today else "draft",
                arrival_mode=self.rng.choice(self._codes("arrival_modes")),
                demand_types=self.rng.sample(
                    self._codes("demand_types")[:14], k=self.rng.randint(1, 2)
                ),
                actions=self.rng.sample(self._codes("actions")[:13], k=self.rng.randint(1, 3)),
                outcome=outcome,
                note="Démarche accompagnée ; pièces justificatives listées avec la personne.",
                author="",
                device="",
            )
            if consultation.status == "signed":
                consultation.signed_at = dt.datetime.combine(
                    stop.stop_date, dt.time(17), tzinfo=dt.UTC
                )
            orientations: list[SocialOrientation] = []
            follow_ups: list[FollowUp] = []
            if outcome == "oriented":
                orientations.append(
                    SocialOrientation(
                        consultation_id=consultation.id,
                        partner_code=self.rng.choice(social_partners),
                        orientation_date=stop.stop_date,
                        author="",
                        device="",
                    )
                )
            if outcome == "follow_up_opened":
                due = stop.stop_date + dt.timedelta(days=self.rng.choice([7, 14, 21]))
                closed = None
                if due < self.today and self.rng.random() < 0.7:
                    closed = min(
                        self.today, stop.stop_date + dt.timedelta(days=self.rng.randint(2, 20))
                    )
                follow_ups.append(
                    FollowUp(
                        beneficiary_id=person.id,
                        consultation_id=consultation.id,
                        demand_type=consultation.demand_types[0],
                        opened_on=stop.stop_date,
                        due_on=due,
                        closed_on=closed,
                        outcome=self.rng.choice(self._codes("follow_up_outcomes")[:3])
                        if closed
                        else None,
                        author="",
                        device="",
                    )
                )
            raise_if_errors(
                validate_social_consultation(
                    consultation, orientations, follow_ups, self.ref, self.today
                )
            )
            for follow_up in follow_ups:
                raise_if_errors(validate_follow_up(follow_up, self.ref, self.today))
            for record in (consultation, *orientations, *follow_ups):
                self._add(record, "amartin", stop.stop_date)

    def pmi_day(self, stop: TourStop) -> None:
        for _ in range(self.rng.randint(2, 4)):
            mother_born = self.today - dt.timedelta(days=self.rng.randint(19 * 365, 40 * 365))
            mother = self.person(stop.commune_insee, sex="F", born=mother_born)
            raise_if_errors(validate_beneficiary(mother, self.ref, self.today))
            self._add(mother, "bnguyen", stop.stop_date)
            if self.rng.random() < 0.2:
                self._prenatal(stop, mother)
                continue
            child_born = stop.stop_date - dt.timedelta(days=self.rng.randint(10, 3 * 365))
            child = self.person(
                stop.commune_insee,
                sex=self.rng.choice("FM"),
                born=child_born,
                surname=mother.birth_name,
            )
            child.phone = None
            raise_if_errors(validate_beneficiary(child, self.ref, self.today))
            self._add(child, "bnguyen", stop.stop_date)
            self._add(
                HouseholdLink(
                    parent_id=mother.id, child_id=child.id, relation="mother", author="", device=""
                ),
                "bnguyen",
                stop.stop_date,
            )
            self._child_visit(stop, child)

    def _child_visit(self, stop: TourStop, child: Beneficiary) -> None:
        for consultation in child_visits(self.ref, self.rng, self.today, child, stop):
            self._add(consultation, "bnguyen", consultation.consultation_date)

    def _prenatal(self, stop: TourStop, mother: Beneficiary) -> None:
        weeks = self.rng.randint(12, 34)
        consultation = PmiConsultation(
            beneficiary_id=mother.id,
            stop_id=stop.id,
            consultation_date=stop.stop_date,
            duration_minutes=45,
            known_before=mother.known_to_cms,
            status="signed" if stop.stop_date < self.today else "draft",
            kind="prenatal",
            gestational_age_weeks=weeks,
            expected_term_date=stop.stop_date + dt.timedelta(weeks=41 - weeks),
            maternal_weight_g=self.rng.randint(55, 85) * 1000,
            blood_pressure_systolic=self.rng.randint(100, 130),
            blood_pressure_diastolic=self.rng.randint(60, 80),
            early_prenatal_interview_done=self.rng.random() < 0.6,
            advice_topics=["pregnancy_follow_up", "pregnancy_nutrition"],
            next_appointment=stop.stop_date + dt.timedelta(days=28),
            note="Grossesse suivie par la sage-femme libérale ; pas de signe d'alerte.",
            author="",
            device="",
        )
        if consultation.status == "signed":
            consultation.signed_at = dt.datetime.combine(stop.stop_date, dt.time(17), tzinfo=dt.UTC)
        raise_if_errors(validate_pmi_consultation(consultation, mother, self.ref, self.today))
        self._add(consultation, "bnguyen", stop.stop_date)

    def satisfaction(self, stop: TourStop) -> None:
        services = ["social", "pmi"] if stop.services == "both" else ["social"]
        for _ in range(self.rng.randint(2, 6)):
            answer = SatisfactionAnswer(
                stop_id=stop.id,
                answered_on=stop.stop_date,
                service=self.rng.choice(services),
                service_rendered=self.rng.choices([1, 2, 3, 4], weights=[1, 2, 5, 5])[0],
                reception=self.rng.choices([1, 2, 3, 4], weights=[1, 1, 4, 6])[0],
                waiting_time=self.rng.choices([1, 2, 3, 4], weights=[1, 3, 5, 3])[0],
                author="",
                device="",
            )
            raise_if_errors(validate_satisfaction(answer))
            self._add(answer, "amartin", stop.stop_date)

    def repeating_tour(self) -> None:
        """A village joining the tour: Valdrôme on the 3rd Wednesday of every month, planned
        by the supervisor for the coming six months (public holidays skipped)."""
        first = (self.today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        pattern = TourPattern(
            commune_insee="26361",
            weekday=2,
            week_of_month=3,
            first_date=first,
            start_time=dt.time(10),
            end_time=dt.time(12, 30),
            place="Salle communale, place de l'Église",
            services="both",
            cms_code=DEMO_CMS,
            author="",
            device="",
        )
        self._add(pattern, "croux", self.today - dt.timedelta(days=30))
        end = first + dt.timedelta(days=182)
        for day in occurrences(pattern, first, end):
            if public_holiday(day):
                continue
            stop = TourStop(
                commune_insee=pattern.commune_insee,
                stop_date=day,
                start_time=pattern.start_time,
                end_time=pattern.end_time,
                place=pattern.place,
                services=pattern.services,
                cms_code=DEMO_CMS,
                pattern_id=pattern.id,
                author="",
                device="",
            )
            raise_if_errors(validate_tour_stop(stop, self.ref))
            self._add(stop, "croux", self.today - dt.timedelta(days=30))

    def likely_duplicate(self) -> None:
        """A woman the social worker received, registered again by the nurse with her first
        name typed without its accent and another phone: a merge for the supervisor to review."""
        women = [
            r
            for r in self.records
            if isinstance(r, Beneficiary) and r.author == "amartin" and r.sex == "F"
        ]
        if not women:
            return
        original = women[0]
        twin = Beneficiary(
            birth_name=original.birth_name,
            first_names=text.fold(original.first_names).title(),
            birth_date=original.birth_date,
            sex="F",
            commune_insee=original.commune_insee,
            phone="06 12 34 56 78",
            known_to_cms=True,
            information_date=original.information_date,
            author="",
            device="",
        )
        raise_if_errors(validate_beneficiary(twin, self.ref, self.today))
        self._add(twin, "bnguyen", original.information_date or self.today)

    def build(self) -> list[SyncedRecord]:
        for stop in self.stops():
            if stop.stop_date > self.today:
                continue
            self.social_day(stop)
            if stop.services == "both":
                self.pmi_day(stop)
            if stop.stop_date < self.today:
                self.satisfaction(stop)
        self.likely_duplicate()
        self.repeating_tour()
        signed = [r for r in self.records if isinstance(r, SocialConsultation)]
        for consultation in signed[:3]:
            if consultation.status != "signed":
                continue
            self._add(
                SupervisorReview(
                    consultation_id=consultation.id,
                    consultation_kind="social",
                    status="validated",
                    author="",
                    device="",
                ),
                "croux",
                consultation.consultation_date,
            )
        asked = [c for c in signed[3:] if c.status == "signed"][:1]
        for consultation in asked:  # shown on the social worker's Today, answered by addendum
            self._add(
                SupervisorReview(
                    consultation_id=consultation.id,
                    consultation_kind="social",
                    status="completion_requested",
                    comment="Merci de préciser l'organisme payeur et le montant de l'aide "
                    "demandée.",
                    author="",
                    device="",
                ),
                "croux",
                consultation.consultation_date + dt.timedelta(days=1),
            )
        return self.records


def build_demo_records(
    ref: ReferenceData, today: dt.date, device: str, seed: int = 26
) -> list[SyncedRecord]:
    """The demo month ending ``today`` (plus two weeks of planned stops), validated."""
    return _DemoBuilder(ref, today, device, seed).build()


def ensure_demo_data(
    data_dir: Path, today: dt.date | None = None, kdf: KdfParams | None = None
) -> Iterable[str]:
    """Set the demo device up once; later runs keep what the demo user changed."""
    if Keystore(data_dir / config.KEYS_FILE).exists():
        yield f"Données de démonstration déjà présentes dans {data_dir}"
    else:
        first, *others = DEMO_USERS
        store = LocalStore.initialize(
            data_dir,
            username=first[0],
            password=DEMO_PASSWORD,
            display_name=first[1],
            roles=first[2],
            cms_code=DEMO_CMS,
            kdf=kdf,
        )
        try:
            for username, name, roles in others:
                store.add_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    display_name=name,
                    roles=roles,
                    cms_code=DEMO_CMS,
                    kdf=kdf,
                )
            records = build_demo_records(reference(), today or dt.date.today(), store.device_id)
            with session_scope(store.engine) as session:
                add_in_dependency_order(session, records)
        finally:
            store.close()
        yield f"Données de démonstration créées dans {data_dir} ({len(records)} enregistrements)"
    yield "Comptes de démonstration (mot de passe « demo ») :"
    for username, name, roles in DEMO_USERS:
        labels = ", ".join(ROLE_LABELS[Role(role)] for role in roles)
        yield f"  {username:<8} {name} — {labels}"
