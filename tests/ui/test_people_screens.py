"""Finding, registering and viewing a person, driven through the real widgets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QLabel,
    QListWidget,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.conftest import FAST_KDF
from tests.core.test_people_search import add_person, bulk_people
from tests.core.test_person_file import (  # noqa: F401  (family is a fixture)
    MEDICAL_SECRETS,
    SOCIAL_SECRETS,
    VISIT_DAY,
    Family,
    _written,
    family,
)
from tests.ui.test_social_screens import type_text
from van_app.core.local_store import LocalStore
from van_app.core.models import (
    Beneficiary,
    FollowUp,
    HouseholdLink,
    PmiConsultation,
    SocialConsultation,
    StaffAccount,
)
from van_app.core.people_search import PersonHit, SearchResult
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.dialogs.register_person import RegisterPersonDialog, prefill_values
from van_app.ui.models.people_results import ID_ROLE, SORT_ROLE, PeopleResultsTableModel
from van_app.ui.screens.people import PeopleScreen
from van_app.ui.screens.person_file import PersonFileScreen
from van_app.ui.widgets.people_search import DebouncedPeopleSearch

TODAY = dt.date(2026, 11, 23)
LEFT = Qt.MouseButton.LeftButton


def make_context(store: LocalStore) -> AppContext:
    return AppContext(store=store, runner=TaskRunner(), reference=reference(), today=lambda: TODAY)


@pytest.fixture
def context(social_store: LocalStore) -> Iterator[AppContext]:
    context = make_context(social_store)
    yield context
    context.runner.wait_for_done()


@pytest.fixture
def nurse_store(data_dir) -> Iterator[LocalStore]:  # type: ignore[no-untyped-def]
    """A device set up for a PMI nurse, unlocked."""
    store = LocalStore.initialize(
        data_dir,
        username="bnguyen",
        password="Lavande-de-Nyons-2026",
        display_name="Binh Nguyen",
        roles=["pmi_nurse"],
        cms_code="CMS-DIE",
        kdf=FAST_KDF,
    )
    yield store
    store.close()


def stored(store: LocalStore, model):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.exec(select(model)).all()


def people_screen(qtbot: QtBot, context: AppContext) -> PeopleScreen:
    screen = PeopleScreen(context)
    qtbot.addWidget(screen)
    screen.resize(900, 600)
    screen.show()
    return screen


def search(qtbot: QtBot, screen: PeopleScreen, typed: str) -> None:
    """Type ``typed`` in the search field and wait until its own result is shown."""
    qtbot.keyClicks(screen.search_edit, typed)
    qtbot.waitUntil(lambda: screen.search.is_current() and screen.count_label.text() != "")
    qtbot.waitUntil(screen.search.is_current)


def shown_names(screen: PeopleScreen) -> list[str]:
    model = screen.model
    return [model.index(r, model.COL_NAME).data() for r in range(model.rowCount())]


def double_click(qtbot: QtBot, view: QAbstractItemView, row: int) -> None:
    """Double-click a row (a first click, as a hand makes it: QTest may drop a lone one)."""
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), LEFT, pos=rect.center())


def click_list_row(qtbot: QtBot, widget: QListWidget, row: int) -> None:
    rect = widget.visualItemRect(widget.item(row))
    qtbot.mouseClick(widget.viewport(), LEFT, pos=rect.center())


def all_text(widget: QWidget) -> str:
    """Every text the widget holds: labels, buttons, rich text, and every table cell."""
    parts = [label.text() for label in widget.findChildren(QLabel)]
    parts += [button.text() for button in widget.findChildren(QAbstractButton)]
    parts += [browser.toPlainText() for browser in widget.findChildren(QTextBrowser)]
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                parts += [str(index.data()), str(index.data(Qt.ItemDataRole.ToolTipRole))]
    return "\n".join(parts)


def file_screen(qtbot: QtBot, context: AppContext, person: str) -> PersonFileScreen:
    screen = PersonFileScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1100, 720)
    screen.show()
    with qtbot.waitSignal(screen.loaded):
        screen.load(person)
    return screen


def every_visit_text(screen: PersonFileScreen) -> str:
    """The file's text with each visit selected in turn (the detail pane shows one at a time)."""
    texts = [all_text(screen)]
    for row in range(screen.visits_model.rowCount()):
        screen.visits_table.selectRow(row)
        texts.append(all_text(screen))
    return "\n".join(texts)


# -- the results model -------------------------------------------------------------------------


def test_results_model_shows_hits_in_search_order() -> None:
    model = PeopleResultsTableModel()
    older = PersonHit("a", "DUPRÉ Hélène", dt.date(1980, 3, 12), "Die", "46 ans", "F")
    younger = PersonHit("b", "ROUX Léo", dt.date(2026, 2, 1), "", "9 mois et 22 jours", "M")
    model.set_rows([older, younger])
    assert model.rowCount() == 2 and model.columnCount() == 4
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers == ["Nom", "Né·e le", "Âge", "Commune"]
    assert [model.index(0, c).data() for c in range(4)] == [
        "DUPRÉ Hélène",
        "12/03/1980",
        "46 ans",
        "Die",
    ]
    assert model.index(1, model.COL_NAME).data(ID_ROLE) == "b"
    age_keys = [model.index(r, model.COL_AGE).data(SORT_ROLE) for r in range(2)]
    assert age_keys[0] > age_keys[1], "the older person sorts after by age"


# -- searching ---------------------------------------------------------------------------------


def test_typing_finds_accented_names_and_enter_opens_the_file(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    helene = add_person(social_store, "Dupré", "Hélène")
    add_person(social_store, "Martin", "Paul", sex="M")
    screen = people_screen(qtbot, context)
    assert screen.search_edit.placeholderText().startswith("Nom, prénom ou date de naissance")

    search(qtbot, screen, "helene")
    assert shown_names(screen) == ["DUPRÉ Hélène"]
    assert screen.count_label.text() == "1 personne trouvée."

    # Down moves from the field into the list; Enter opens the highlighted person.
    qtbot.keyClick(screen.search_edit, Qt.Key.Key_Down)
    assert screen.table.hasFocus() or screen.table.currentIndex().row() == 0
    with qtbot.waitSignal(context.events.person_opened) as opened:
        qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert opened.args == [helene]

    with qtbot.waitSignal(context.events.person_opened) as opened:
        double_click(qtbot, screen.table, 0)
    assert opened.args == [helene]

    screen.search_edit.clear()
    search(qtbot, screen, "zorglub")
    assert shown_names(screen) == []
    assert screen.count_label.text().startswith("Aucune personne trouvée")


def test_search_by_birth_date_and_too_many_results(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    add_person(social_store, "Dupré", "Hélène", dt.date(1980, 3, 12))
    add_person(social_store, "Achard", "Odette", dt.date(1951, 7, 4))
    bulk_people(
        social_store, [("Martin", f"Prénom{i:03d}", dt.date(1990, 1, 1)) for i in range(60)]
    )
    screen = people_screen(qtbot, context)

    search(qtbot, screen, "04/07/1951")
    assert shown_names(screen) == ["ACHARD Odette"]
    assert screen.model.index(0, screen.model.COL_BIRTH_DATE).data() == "04/07/1951"

    screen.search_edit.clear()
    search(qtbot, screen, "martin")
    assert screen.model.rowCount() == 50
    assert screen.count_label.text().startswith("Plus de 50 résultats, précisez")


def test_an_overtaken_search_is_never_shown(qtbot: QtBot, context: AppContext) -> None:
    add_person(context.store, "Dupré", "Hélène")
    add_person(context.store, "Martin", "Paul", sex="M")
    searcher = DebouncedPeopleSearch(context)
    shown: list[SearchResult] = []
    searcher.results_ready.connect(shown.append)
    searcher.set_text("martin")
    searcher.run_now()  # in the background now, but the text changes before it answers
    searcher.set_text("dupre")
    with qtbot.waitSignal(searcher.results_ready):
        searcher.run_now()
    context.runner.wait_for_done()
    qtbot.wait(20)
    assert [result.query for result in shown] == ["dupre"]
    assert [hit.name for hit in shown[0].hits] == ["DUPRÉ Hélène"]


# -- registering -------------------------------------------------------------------------------


def test_prefill_reads_names_and_date_from_the_search() -> None:
    assert prefill_values("dupré hélène 12/03/1980", TODAY) == ("Dupré", "Hélène", "12/03/1980")
    assert prefill_values("ROUX jean-pierre", TODAY) == ("ROUX", "Jean-Pierre", "")
    assert prefill_values("", TODAY) == ("", "", "")


def open_dialog(qtbot: QtBot, screen: PeopleScreen) -> RegisterPersonDialog:
    qtbot.mouseClick(screen.new_button, LEFT)
    dialog = screen.register_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_a_bad_birth_date_is_explained_under_its_field_and_nothing_is_written(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    screen = people_screen(qtbot, context)
    type_text(qtbot, screen.search_edit, "dupré hélène")
    dialog = open_dialog(qtbot, screen)
    assert dialog.birth_name_edit.text() == "Dupré"
    assert dialog.first_names_edit.text() == "Hélène"
    assert dialog.information_date_edit.text() == "23/11/2026"

    qtbot.keyClicks(dialog.birth_date_edit, "31/02/1980")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error_text("birth_date") != "")
    assert dialog.error_text("birth_date") == "La date « 31/02/1980 » n'existe pas."
    assert dialog.error_text("sex") == "Indiquez le sexe."
    assert dialog.error_text("birth_name") == ""
    assert "Rien n'a été enregistré" in dialog.message_label.text()
    assert dialog.isVisible()
    assert stored(social_store, Beneficiary) == []

    type_text(qtbot, dialog.commune_edit, "etoile")
    assert dialog.commune_edit.matches("etoile") == ["Étoile-sur-Rhône (26800)"]


def fill_duplicate(qtbot: QtBot, context: AppContext, social_store: LocalStore):  # type: ignore[no-untyped-def]
    existing = add_person(social_store, "Dupré", "Hélène", dt.date(1980, 3, 12))
    screen = people_screen(qtbot, context)
    search(qtbot, screen, "dupre helene 12/03/1980")
    dialog = open_dialog(qtbot, screen)
    assert dialog.birth_date_edit.text() == "12/03/1980"
    qtbot.mouseClick(dialog.sex_buttons["F"], LEFT)
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.duplicates_dialog is not None)
    duplicates = dialog.duplicates_dialog
    assert duplicates is not None and duplicates.isVisible()
    assert duplicates.model.rowCount() == 1
    assert duplicates.model.index(0, 0).data() == "DUPRÉ Hélène"
    assert stored(social_store, Beneficiary)[0].id == existing
    return screen, existing, duplicates  # the screen too: it owns the dialogs


def test_create_anyway_registers_a_second_person(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    _screen, existing, duplicates = fill_duplicate(qtbot, context, social_store)
    with (
        qtbot.waitSignal(context.events.records_changed),
        qtbot.waitSignal(context.events.person_opened) as opened,
    ):
        qtbot.mouseClick(duplicates.create_button, LEFT)
    people = stored(social_store, Beneficiary)
    assert len(people) == 2
    [new] = [p for p in people if p.id != existing]
    assert opened.args == [new.id]
    assert (new.birth_name, new.first_names, new.sex) == ("Dupre", "Helene", "F")
    assert new.information_date == TODAY


def test_open_this_person_creates_nothing(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    _screen, existing, duplicates = fill_duplicate(qtbot, context, social_store)
    with qtbot.waitSignal(context.events.person_opened) as opened:
        qtbot.mouseClick(duplicates.open_button, LEFT)
    assert opened.args == [existing]
    assert [p.id for p in stored(social_store, Beneficiary)] == [existing]


def test_a_child_is_registered_with_its_mother(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    mother = add_person(social_store, "Roux", "Camille", dt.date(1995, 5, 5))
    screen = people_screen(qtbot, context)
    dialog = open_dialog(qtbot, screen)
    qtbot.keyClicks(dialog.birth_name_edit, "Roux")
    type_text(qtbot, dialog.first_names_edit, "Léo")
    qtbot.keyClicks(dialog.birth_date_edit, "01/02/2026")
    qtbot.mouseClick(dialog.sex_buttons["M"], LEFT)
    type_text(qtbot, dialog.commune_edit, "Die (26150)")

    picker = dialog.parents.picker
    qtbot.keyClicks(picker.field, "roux cam")
    qtbot.waitUntil(lambda: picker.search.is_current() and picker.list.count() == 1)
    click_list_row(qtbot, picker.list, 0)
    [row] = dialog.parents.rows()
    assert row.relation_combo.currentText() == "Mère"
    assert "ROUX Camille" in row.name_label.text()

    with qtbot.waitSignal(context.events.person_opened) as opened:
        qtbot.mouseClick(dialog.save_button, LEFT)
    [link] = stored(social_store, HouseholdLink)
    assert (link.parent_id, link.child_id, link.relation) == (mother, opened.args[0], "mother")
    with social_store.session() as session:
        child = session.get(Beneficiary, opened.args[0])
        assert child is not None and child.commune_insee == "26113"


# -- a person's file ---------------------------------------------------------------------------


def test_a_social_worker_sees_no_pmi_measure_or_note(
    qtbot: QtBot,
    context: AppContext,
    family: Family,  # noqa: F811
) -> None:
    child_file = file_screen(qtbot, context, family.child)
    assert child_file.name_label.text() == "ROUX Léo"
    assert child_file.birth_label.text() == "Né le 01/02/2026 — 9 mois et 22 jours"
    text = every_visit_text(child_file)
    for secret in MEDICAL_SECRETS:
        assert secret not in text
    assert child_file.visits_model.index(0, 1).data() == "Consultation PMI"
    assert "secret médical de la PMI" in child_file.visit_detail.restricted_label.text()
    assert child_file.visit_detail.open_button.isHidden()
    assert child_file.new_pmi_button.isHidden() and not child_file.new_social_button.isHidden()

    # The household: a click on the mother opens her file.
    with qtbot.waitSignal(context.events.person_opened) as opened:
        qtbot.mouseClick(child_file.household.member_buttons[family.mother], LEFT)
    assert opened.args == [family.mother]

    mother_file = file_screen(qtbot, context, family.mother)
    text = every_visit_text(mother_file)
    for secret in MEDICAL_SECRETS:
        assert secret not in text
    assert "Dossier RSA préparé avec elle" in text and "Pièce ajoutée" in text
    assert "Demande suivie : RSA" in all_text(mother_file.follow_ups)

    # Her own service's visit opens in its form; a new one starts from the header.
    mother_file.visits_table.selectRow(0)
    assert mother_file.selected_visit().id == family.social_visit  # type: ignore[union-attr]
    with qtbot.waitSignal(context.events.consultation_requested) as requested:
        double_click(qtbot, mother_file.visits_table, 0)
    assert requested.args == ["social", family.mother, family.social_visit]
    with qtbot.waitSignal(context.events.consultation_requested) as requested:
        qtbot.mouseClick(mother_file.new_social_button, LEFT)
    assert requested.args == ["social", family.mother, ""]


def test_a_nurse_sees_no_social_note(qtbot: QtBot, nurse_store: LocalStore) -> None:
    mother = add_person(nurse_store, "Roux", "Camille", dt.date(1995, 5, 5))
    social = SocialConsultation(
        beneficiary_id=mother, consultation_date=VISIT_DAY, duration_minutes=30,
        status="signed", demand_types=["rsa"], actions=["file_preparation"],
        outcome="oriented", note="Dossier RSA préparé avec elle", author="", device="",
    )  # fmt: skip
    _written(
        nurse_store,
        "amartin",
        StaffAccount(username="amartin", display_name="Agnès Martin", roles=["social_worker"],
                     cms_code="CMS-DIE", author="", device=""),
        social,
        FollowUp(beneficiary_id=mother, consultation_id=social.id, demand_type="rsa",
                 opened_on=VISIT_DAY, due_on=VISIT_DAY + dt.timedelta(days=14),
                 author="", device=""),
    )  # fmt: skip
    prenatal = PmiConsultation(
        beneficiary_id=mother, consultation_date=VISIT_DAY - dt.timedelta(days=30),
        kind="prenatal", gestational_age_weeks=22, note="Grossesse sans souci",
        author="", device="",
    )  # fmt: skip
    _written(nurse_store, "bnguyen", prenatal)
    context = make_context(nurse_store)
    try:
        screen = file_screen(qtbot, context, mother)
        text = every_visit_text(screen)
        for secret in SOCIAL_SECRETS:
            assert secret not in text
        assert "Grossesse sans souci" in text and "22 SA" in text
        assert screen.follow_ups_box.isHidden()
        assert screen.new_social_button.isHidden() and not screen.new_pmi_button.isHidden()
        titles = [screen.visits_model.index(r, 1).data() for r in range(2)]
        assert titles == ["Consultation sociale", "Consultation PMI — suivi de grossesse"]
        screen.visits_table.selectRow(0)
        assert screen.visit_detail.open_button.isHidden()
        with qtbot.waitSignal(context.events.consultation_requested) as requested:
            screen.visits_table.selectRow(1)
            qtbot.mouseClick(screen.visit_detail.open_button, LEFT)
        assert requested.args == ["pmi", mother, prenatal.id]
    finally:
        context.runner.wait_for_done()


def test_a_child_already_registered_is_linked_from_the_file(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    mother = add_person(social_store, "Roux", "Camille", dt.date(1995, 5, 5))
    child = add_person(social_store, "Roux", "Jade", dt.date(2023, 2, 1))
    screen = file_screen(qtbot, context, mother)
    assert screen.household.empty_label.isVisibleTo(screen)
    qtbot.mouseClick(screen.household.add_button, LEFT)
    dialog = screen.link_dialog
    assert dialog is not None and dialog.child_radio.isChecked()
    qtbot.keyClicks(dialog.picker.field, "jade")
    qtbot.waitUntil(lambda: dialog.picker.search.is_current() and dialog.picker.list.count() == 1)
    click_list_row(qtbot, dialog.picker.list, 0)
    assert dialog.sentence_label.text() == "ROUX Camille — mère de ROUX Jade"
    with qtbot.waitSignal(screen.loaded):
        qtbot.mouseClick(dialog.link_button, LEFT)
    [link] = stored(social_store, HouseholdLink)
    assert (link.parent_id, link.child_id, link.relation) == (mother, child, "mother")
    assert list(screen.household.member_buttons) == [child]


def test_a_newborn_is_registered_from_the_mothers_file(
    qtbot: QtBot, context: AppContext, social_store: LocalStore
) -> None:
    mother = add_person(social_store, "Roux", "Camille", dt.date(1995, 5, 5))
    screen = file_screen(qtbot, context, mother)
    qtbot.mouseClick(screen.household.add_button, LEFT)
    link_dialog = screen.link_dialog
    assert link_dialog is not None
    qtbot.keyClicks(link_dialog.picker.field, "roux nina")
    qtbot.mouseClick(link_dialog.new_person_button, LEFT)
    register = link_dialog.register_dialog
    assert register is not None
    assert (register.birth_name_edit.text(), register.first_names_edit.text()) == ("Roux", "Nina")
    [row] = register.parents.rows()
    assert row.person_id == mother and row.relation_combo.currentText() == "Mère"
    qtbot.keyClicks(register.birth_date_edit, "02/11/2026")
    qtbot.mouseClick(register.sex_buttons["F"], LEFT)
    with qtbot.waitSignal(screen.loaded):
        qtbot.mouseClick(register.save_button, LEFT)
    [link] = stored(social_store, HouseholdLink)
    assert (link.parent_id, link.relation) == (mother, "mother")
    assert list(screen.household.member_buttons) == [link.child_id]
    assert screen.link_dialog is None, "closed once linked"
