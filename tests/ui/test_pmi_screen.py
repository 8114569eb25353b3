"""The PMI nurse's consultation screen, driven with the keyboard and the mouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QSpinBox
from pytestqt.qtbot import QtBot
from sqlmodel import select

from tests.conftest import FAST_KDF
from tests.ui.test_social_screens import (
    accept_message_box,
    choose_by_keyboard,
    click_item,
    type_text,
)
from van_app.core.confidentiality import Role
from van_app.core.growth import (
    HEAD_FOR_AGE,
    WEIGHT_FOR_AGE,
    WEIGHT_FOR_LENGTH,
    GrowthPoint,
    growth_standards,
)
from van_app.core.local_store import LocalStore
from van_app.core.models import Beneficiary, PmiAddendum, PmiConsultation
from van_app.core.pmi import PmiForm, sign_pmi_consultation
from van_app.core.reference import reference
from van_app.tasks import TaskRunner
from van_app.ui.context import AppContext
from van_app.ui.models.vaccinations import VaccinationsTableModel
from van_app.ui.screens.pmi_consultation import PmiConsultationScreen
from van_app.ui.widgets.growth_chart import TAB_INDICATORS, GrowthChartWidget
from van_app.ui.widgets.measure_edit import LENGTH, WEIGHT, MeasureEdit
from van_app.ui.widgets.social_parts import FieldErrors, to_qdate

TODAY = dt.date(2026, 5, 12)
PASSWORD = "Tilleul-de-Nyons-2026"
BORN = dt.date(2026, 1, 10)  # 122 days old on TODAY: the first hexavalent dose is late
LEFT = Qt.MouseButton.LeftButton
NBSP = "\u00a0"


@pytest.fixture
def nurse_store(data_dir: Path) -> Iterator[LocalStore]:
    """A device set up for a PMI nurse, unlocked."""
    store = LocalStore.initialize(
        data_dir,
        username="bnguyen",
        password=PASSWORD,
        display_name="Bérénice Nguyen",
        roles=[Role.PMI_NURSE.value],
        cms_code="CMS-DIE",
        kdf=FAST_KDF,
    )
    yield store
    store.close()


@pytest.fixture
def context(nurse_store: LocalStore) -> Iterator[AppContext]:
    runner = TaskRunner()
    yield AppContext(store=nurse_store, runner=runner, reference=reference(), today=lambda: TODAY)
    runner.wait_for_done()


def add_person(store: LocalStore, first: str, last: str, born: dt.date, sex: str) -> str:
    with store.session() as session:
        person = store.stamp(
            Beneficiary(
                birth_name=last, first_names=first, birth_date=born, sex=sex, author="", device=""
            )
        )
        session.add(person)
        return person.id


def add_child(store: LocalStore) -> str:
    return add_person(store, "Lina", "Chabert", BORN, "F")


def add_earlier_visit(store: LocalStore, child: str) -> str:
    """A signed visit at two months: measures, and the first pneumococcal dose."""
    form = PmiForm(
        child,
        "child",
        weight_g=5100,
        length_mm=570,
        head_circumference_mm=385,
        vaccinations=["pcv_1"],
        development=["eye_contact"],
    )
    return sign_pmi_consultation(store, form, reference(), dt.date(2026, 3, 12))


def open_screen(qtbot: QtBot, context: AppContext, person: str, consultation: str = ""):  # type: ignore[no-untyped-def]
    screen = PmiConsultationScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.load(person, consultation)
    return screen


def stored(store: LocalStore, model):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.exec(select(model)).all()


def retype(qtbot: QtBot, edit: MeasureEdit, text: str) -> None:
    """Replace the text of a measure as a person would: select all, type, leave the field."""
    edit.edit.setFocus()
    edit.edit.selectAll()
    qtbot.keyClick(edit.edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit.edit, text)
    qtbot.keyClick(edit.edit, Qt.Key.Key_Return)


def type_number(qtbot: QtBot, spin: QSpinBox, text: str) -> None:
    """Select the spin box's text (it shows "—" or "non renseigné" when empty) and type."""
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, text)


def test_measure_edit_reads_the_french_ways(qtbot: QtBot) -> None:
    errors = FieldErrors()
    weight = MeasureEdit(WEIGHT, errors, "weight_g")
    length = MeasureEdit(LENGTH, errors, "length_mm")
    boxes = [errors.wrap(weight, "weight_g"), errors.wrap(length, "length_mm")]
    for box in boxes:
        qtbot.addWidget(box)
        box.show()
    for text, grams in (("3,450 kg", 3450), ("3450 g", 3450), ("3,45", 3450), ("3 450", 3450)):
        retype(qtbot, weight, text)
        assert weight.value() == grams
        assert weight.normalised_label.text() == f"= 3{NBSP}450{NBSP}g"
    for text in ("52,5 cm", "525 mm", "52.5"):
        retype(qtbot, length, text)
        assert length.value() == 525
        assert length.normalised_label.text() == f"= 52,5{NBSP}cm"
    retype(qtbot, weight, "3,4,5 kg")
    assert weight.value() is None and weight.is_unreadable()
    assert errors.text("weight_g").startswith("Le poids « 3,4,5 kg » n'est pas lisible.")
    retype(qtbot, weight, "3,2 kg")
    assert errors.text("weight_g") == ""  # right again: the message goes


def test_growth_chart_plots_curves_and_points(qtbot: QtBot) -> None:
    chart = GrowthChartWidget()
    qtbot.addWidget(chart)
    history = [GrowthPoint("a", dt.date(2026, 3, 12), 61, 5100, 570, 385)]
    chart.set_child(growth_standards(), "F", BORN, history)
    chart.set_current(GrowthPoint("", TODAY, 122, 6200, 620, 405))
    assert chart.indicator() == WEIGHT_FOR_AGE
    median = chart.curve_points(0)
    assert len(median) > 50 and median[0][0] == 0.0
    assert 3.0 < median[0][1] < 3.5  # WHO girls at birth: 3.2 kg
    # Every curve sits inside the axes: nothing off the chart.
    for sd in (-3, -2, 0, 2, 3):
        ys = [y for _, y in chart.curve_points(sd)]
        assert chart.y_axis.min() <= min(ys) and max(ys) <= chart.y_axis.max()
    assert chart.x_axis.max() == 6  # a four-month-old: the 0-6 months chart
    assert chart.history_points() == [pytest.approx((61 / 30.4375, 5.1))]
    assert chart.current_points() == [pytest.approx((122 / 30.4375, 6.2))]
    assert chart.z_scores_text().startswith("Poids/âge : ")
    assert " z · Taille/âge : " in chart.z_scores_text()
    assert chart.x_axis.titleText() == "Âge (mois)" and chart.y_axis.titleText() == "Poids (kg)"

    chart.set_indicator(WEIGHT_FOR_LENGTH)
    assert chart.x_axis.titleText() == "Taille couchée (cm)"
    assert chart.curve_points(2) and chart.current_points() == [pytest.approx((62.0, 6.2))]

    chart.set_indicator(HEAD_FOR_AGE)
    median = chart.curve_points(0)
    assert median[0] == pytest.approx((0.0, 33.88), abs=0.01)  # WHO girls at birth
    assert chart.chart.title() == "Périmètre crânien/âge — OMS 2006, fille"
    assert chart.current_points() == [pytest.approx((122 / 30.4375, 40.5))]
    assert "Périmètre crânien/âge : " in chart.z_scores_text()
    assert chart.z_scores().head_for_age == pytest.approx(-0.07, abs=0.02)  # median 40,6 cm

    # A child of 31 months: the 0-36 months window, ticks every 6 months up to its edge.
    chart.set_current(GrowthPoint("", TODAY, 950, 12100, 890, 478))
    assert (chart.x_axis.max(), chart.x_axis.tickInterval()) == (36, 6)


@pytest.mark.parametrize("indicator", TAB_INDICATORS)
@pytest.mark.parametrize("sex", ["F", "M", "I"])
def test_every_chart_spans_the_curves_around_the_child(
    qtbot: QtBot, indicator: str, sex: str
) -> None:
    """A child growing normally follows the curves: the axes hold −3…+3 SD over the child's
    window, never a few centimetres around the points alone (the sex unknown included)."""
    chart = GrowthChartWidget()
    qtbot.addWidget(chart)
    standards = growth_standards()
    history = [
        GrowthPoint("a", dt.date(2026, 2, 10), 31, 4300, 545, 372),
        GrowthPoint("b", dt.date(2026, 3, 12), 61, 5100, 570, 385),
    ]
    chart.set_child(standards, sex, BORN, history)
    chart.set_current(GrowthPoint("", TODAY, 122, 6200, 620, 405))
    chart.set_indicator(indicator)
    x_min, x_max = chart.x_axis.min(), chart.x_axis.max()
    drawn_sex = sex if sex in ("F", "M") else "F"  # unknown: framed by both sexes' curves
    reference = standards.curves(indicator, drawn_sex, x_min, x_max)  # lying length: 4 months
    low = min(y for sd in (-3, 3) for _, y in reference[sd])
    high = max(y for sd in (-3, 3) for _, y in reference[sd])
    assert chart.y_axis.min() <= low + 0.5 and high - 0.5 <= chart.y_axis.max()
    for x, y in chart.history_points() + chart.current_points():
        assert x_min <= x <= x_max and chart.y_axis.min() <= y <= chart.y_axis.max()
    # Normal growth is not steep: the child's own span is a fraction of the axis.
    ys = [y for _, y in chart.history_points() + chart.current_points()]
    assert max(ys) - min(ys) < 0.7 * (chart.y_axis.max() - chart.y_axis.min())
    assert bool(chart.curve_points(0)) == (sex != "I")


def test_child_consultation_saved_then_signed(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    child = add_child(nurse_store)
    earlier = add_earlier_visit(nurse_store, child)
    screen = open_screen(qtbot, context, child)
    assert screen.header.name_label.text() == "CHABERT Lina"
    assert screen.header.kind_label.text() == "Consultation de l'enfant"
    assert "4 mois et 2 jours — née le 10/01/2026" in screen.header.details_label.text()
    assert screen.child.isVisibleTo(screen) and not screen.prenatal.isVisibleTo(screen)
    chart = screen.child.chart
    assert len(chart.history_points()) == 1 and chart.current_points() == []

    # The measures, typed the French way; the chart follows as they are typed.
    retype(qtbot, screen.child.weight_edit, "6,2 kg")
    assert screen.child.weight_edit.normalised_label.text() == f"= 6{NBSP}200{NBSP}g"
    assert chart.current_points() == [pytest.approx((122 / 30.4375, 6.2))]
    retype(qtbot, screen.child.length_edit, "620 mm")
    retype(qtbot, screen.child.head_edit, "40,5")
    assert screen.child.head_edit.normalised_label.text() == f"= 40,5{NBSP}cm"
    assert "Taille/âge : " in chart.z_scores_text()
    choose_by_keyboard(qtbot, screen.child.feeding_combo, "mixed_feeding")

    vaccinations = screen.child.vaccinations.model
    assert vaccinations.row_of("pcv_1") >= 0
    assert vaccinations.status_text(vaccinations.dose_at(vaccinations.row_of("pcv_1"))) == (
        "fait le 12/03/2026"
    )
    table = screen.child.vaccinations.table
    rect = table.visualRect(vaccinations.index(vaccinations.row_of("hexa_1"), 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
    assert vaccinations.given_codes() == ["hexa_1"]
    click_item(qtbot, screen.child.development.codes, "social_smile")
    assert screen.child.development.codes.item_for("eye_contact") is None  # acquired before
    click_item(qtbot, screen.advice_list, "sleep")
    choose_by_keyboard(qtbot, screen.partner_combo, "paediatrician")
    qtbot.mouseClick(screen.next_appointment.check, LEFT)
    type_text(qtbot, screen.note_edit, "Enfant éveillée, prise de poids régulière.")

    with (
        qtbot.waitSignal(screen.consultation_saved),
        qtbot.waitSignal(context.events.records_changed),
    ):
        qtbot.mouseClick(screen.save_button, LEFT)
    assert screen.message_label.text() == "Brouillon enregistré."
    [saved] = [c for c in stored(nurse_store, PmiConsultation) if c.id != earlier]
    assert (saved.status, saved.kind, saved.consultation_date) == ("draft", "child", TODAY)
    assert (saved.weight_g, saved.length_mm, saved.head_circumference_mm) == (6200, 620, 405)
    assert saved.feeding_mode == "mixed_feeding"
    assert saved.vaccinations == ["hexa_1"] and saved.development == ["social_smile"]
    assert saved.advice_topics == ["sleep"]
    assert (saved.orientation_partner, saved.orientation_date) == ("paediatrician", TODAY)
    assert saved.next_appointment == TODAY + dt.timedelta(days=30)
    assert saved.note == "Enfant éveillée, prise de poids régulière."
    # Reloaded from the store: the draft's own measures are still this consultation's point.
    assert screen.child.weight_edit.text() == "6,200 kg"
    assert chart.current_points() == [pytest.approx((122 / 30.4375, 6.2))]
    assert vaccinations.status_text(vaccinations.dose_at(vaccinations.row_of("hexa_1"))) == (
        "fait ce jour"
    )

    # Signing asks first; the real box is answered with its "Signer" button.
    retype(qtbot, screen.child.weight_edit, "6250 g")
    accept_message_box(qtbot, "Signer")
    with qtbot.waitSignal(screen.consultation_signed):
        qtbot.mouseClick(screen.sign_button, LEFT)
    with nurse_store.session() as session:
        signed = session.get(PmiConsultation, saved.id)
        assert signed.status == "signed" and signed.signed_at is not None
        assert signed.weight_g == 6250
    assert screen.save_button.isHidden() and screen.sign_button.isHidden()
    assert screen.child.weight_edit.edit.isReadOnly()
    assert "Consultation signée le" in screen.header.status_label.text()
    assert screen.addenda_box.isVisibleTo(screen)


def test_implausible_or_unreadable_measure_writes_nothing(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    child = add_child(nurse_store)
    screen = open_screen(qtbot, context, child)
    retype(qtbot, screen.child.weight_edit, "34,5 kg")
    message = screen.error_text("weight_g")
    assert message.startswith("Poids invraisemblable pour un enfant de 4 mois et 2 jours")
    assert screen.child.chart.current_points() == []  # never plotted off the chart
    qtbot.mouseClick(screen.save_button, LEFT)
    qtbot.waitUntil(lambda: "Rien n'a été enregistré" in screen.message_label.text())
    assert screen.error_text("weight_g") == message
    assert stored(nurse_store, PmiConsultation) == []

    retype(qtbot, screen.child.weight_edit, "6 kg 2")
    qtbot.mouseClick(screen.save_button, LEFT)
    assert "n'est pas lisible" in screen.error_text("weight_g")
    assert "Rien n'a été enregistré" in screen.message_label.text()
    assert not screen._busy and stored(nurse_store, PmiConsultation) == []


def test_vaccination_list_marks_late_doses(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    screen = open_screen(qtbot, context, add_child(nurse_store))
    model = screen.child.vaccinations.model
    row = model.row_of("hexa_1")
    assert model.data(model.index(row, VaccinationsTableModel.COL_STATUS)) == "en retard"
    assert model.data(model.index(row, VaccinationsTableModel.COL_MANDATORY)) == "obligatoire"
    assert model.data(model.index(row, VaccinationsTableModel.COL_DUE)) == "12/03/2026"
    rota = model.row_of("rota_2")
    assert model.data(model.index(rota, VaccinationsTableModel.COL_MANDATORY)) == "recommandé"
    assert model.data(model.index(model.row_of("hexa_2"), 3)) == "à faire"
    assert model.row_of("mmr_1") == -1  # due at one year: listed under "Plus tard"
    assert "ROR" in screen.child.vaccinations.later_label.text()
    summary = screen.child.vaccinations.summary_label.text()
    assert summary == ("4 doses en retard (2 obligatoires) ; 4 doses à faire.")


def test_signed_consultation_is_read_only_and_takes_an_addendum(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    child = add_child(nurse_store)
    consultation = add_earlier_visit(nurse_store, child)
    screen = open_screen(qtbot, context, child, consultation)
    assert screen.child.weight_edit.text() == "5,100 kg"
    assert screen.child.weight_edit.edit.isReadOnly()
    assert screen.save_button.isHidden() and screen.sign_button.isHidden()
    assert not screen.child.feeding_combo.isEnabled() and screen.note_edit.isReadOnly()
    assert screen.child.vaccinations.model.given_codes() == ["pcv_1"]
    assert screen.child.chart.current_points() == [pytest.approx((61 / 30.4375, 5.1))]

    qtbot.mouseClick(screen.addenda.button, LEFT)  # empty: refused next to its box
    qtbot.waitUntil(lambda: screen.error_text("addendum") != "")
    assert screen.error_text("addendum") == "Saisissez le complément à ajouter."
    type_text(qtbot, screen.addenda.edit, "Périmètre crânien remesuré : 38,8 cm.")
    with qtbot.waitSignal(screen.addendum_added):
        qtbot.mouseClick(screen.addenda.button, LEFT)
    [addendum] = stored(nurse_store, PmiAddendum)
    assert addendum.consultation_id == consultation
    assert addendum.note == "Périmètre crânien remesuré : 38,8 cm."
    assert screen.message_label.text() == "Complément ajouté."
    [before] = stored(nurse_store, PmiConsultation)
    assert before.head_circumference_mm == 385  # the signed record itself is untouched


def test_prenatal_consultation_for_a_woman(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    woman = add_person(nurse_store, "Amina", "Roux", dt.date(1996, 8, 3), "F")
    screen = open_screen(qtbot, context, woman)
    prenatal = screen.prenatal
    assert screen.header.kind_label.text() == "Suivi de grossesse"
    assert prenatal.isVisibleTo(screen) and not screen.child.isVisibleTo(screen)
    assert not screen.child.development_box.isVisibleTo(screen)
    assert "pregnancy_warning_signs" in screen.advice_list.codes()
    assert "cord_care" not in screen.advice_list.codes()

    type_number(qtbot, prenatal.weeks_spin, "24")
    qtbot.mouseClick(prenatal.term_edit.check, LEFT)
    prenatal.term_edit.edit.setDate(to_qdate(dt.date(2026, 8, 22)))
    assert prenatal.term_hint.text() == "soit 26 SA + 3 j le jour de la consultation"
    retype(qtbot, prenatal.weight_edit, "68,5")
    assert prenatal.weight_edit.normalised_label.text() == f"= 68{NBSP}500{NBSP}g"
    type_number(qtbot, prenatal.systolic_spin, "118")
    choose_by_keyboard(qtbot, prenatal.interview_combo, "yes")
    click_item(qtbot, screen.advice_list, "pregnancy_warning_signs")

    # Systolic without diastolic: refused under the blood pressure, nothing written.
    qtbot.mouseClick(screen.save_button, LEFT)
    qtbot.waitUntil(lambda: screen.error_text("blood_pressure_diastolic") != "")
    assert screen.error_text("blood_pressure_diastolic") == "Indiquez aussi la tension diastolique."
    assert stored(nurse_store, PmiConsultation) == []

    type_number(qtbot, prenatal.diastolic_spin, "72")
    with qtbot.waitSignal(screen.consultation_saved):
        qtbot.mouseClick(screen.save_button, LEFT)
    [saved] = stored(nurse_store, PmiConsultation)
    assert (saved.kind, saved.status) == ("prenatal", "draft")
    assert saved.gestational_age_weeks == 24
    assert saved.expected_term_date == dt.date(2026, 8, 22)
    assert saved.maternal_weight_g == 68500
    assert (saved.blood_pressure_systolic, saved.blood_pressure_diastolic) == (118, 72)
    assert saved.early_prenatal_interview_done is True
    assert saved.advice_topics == ["pregnancy_warning_signs"]
    assert saved.weight_g is None and saved.vaccinations == []


def answer_message_box(qtbot: QtBot, seen: list[str], *, button: str = "", key: Qt.Key) -> None:
    """Note the text of the message box about to open, then answer it: a click on ``button``
    or, without one, the ``key`` pressed (the keyboard's way)."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen.append(f"{box.text()}\n{box.informativeText()}")
        if button:
            qtbot.mouseClick(next(b for b in box.buttons() if b.text() == button), LEFT)
        else:
            qtbot.keyClick(box, key)

    QTimer.singleShot(0, answer)


def test_implausible_measures_are_confirmed_before_saving(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    child = add_child(nurse_store)
    earlier = add_earlier_visit(nurse_store, child)  # 12/03/2026: 5,1 kg, 57 cm, 38,5 cm
    screen = open_screen(qtbot, context, child)
    retype(qtbot, screen.child.weight_edit, "4,2 kg")
    retype(qtbot, screen.child.length_edit, "55,0")
    retype(qtbot, screen.child.head_edit, "40,5")
    weight_message = (
        "Le poids passe de 5,100 kg (le 12/03/2026) à 4,200 kg en 61 jours, soit une perte "
        f"de 18{NBSP}% : est-ce bien pesé ?"
    )
    length_message = "La taille passe de 57,0 cm (le 12/03/2026) à 55,0 cm : est-ce bien mesuré ?"
    assert screen.child.evolution_label.isVisibleTo(screen)
    assert weight_message in screen.child.evolution_label.text()
    assert "Périmètre crânien/âge : " in screen.child.chart.z_scores_text()

    # Refused with the keyboard (Escape answers "Corriger"): nothing written, form as typed.
    seen: list[str] = []
    answer_message_box(qtbot, seen, key=Qt.Key.Key_Escape)
    qtbot.mouseClick(screen.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(seen))
    assert weight_message in seen[0] and length_message in seen[0]
    assert "Enregistrer quand même" in seen[0]
    assert [c.id for c in stored(nurse_store, PmiConsultation)] == [earlier]
    assert screen.message_label.text() == (
        "Rien n'a été enregistré : vérifiez les valeurs signalées."
    )
    assert screen.child.weight_edit.text() == "4,2 kg"
    assert screen.child.length_edit.text() == "55,0"
    assert screen.focusWidget() is screen.child.weight_edit.edit  # the first value to check

    # Corrected length, the weight confirmed: saved after "Enregistrer quand même".
    retype(qtbot, screen.child.length_edit, "58,5")
    seen.clear()
    answer_message_box(qtbot, seen, button="Enregistrer quand même", key=Qt.Key.Key_Return)
    with qtbot.waitSignal(screen.consultation_saved):
        qtbot.mouseClick(screen.save_button, LEFT)
    assert weight_message in seen[0] and "La taille" not in seen[0]
    [saved] = [c for c in stored(nurse_store, PmiConsultation) if c.id != earlier]
    assert (saved.weight_g, saved.length_mm, saved.head_circumference_mm) == (4200, 585, 405)

    # Plausible values ask nothing.
    retype(qtbot, screen.child.weight_edit, "6,2 kg")
    assert not screen.child.evolution_label.isVisibleTo(screen)
    with qtbot.waitSignal(screen.consultation_saved):
        qtbot.mouseClick(screen.save_button, LEFT)
    assert screen.message_label.text() == "Brouillon enregistré."


def test_two_doses_of_one_vaccine_on_one_day_are_flagged(
    qtbot: QtBot, context: AppContext, nurse_store: LocalStore
) -> None:
    child = add_child(nurse_store)
    add_earlier_visit(nurse_store, child)
    screen = open_screen(qtbot, context, child)
    widget = screen.child.vaccinations
    model, table = widget.model, widget.table
    for code in ("hexa_1", "hexa_2"):
        rect = table.visualRect(model.index(model.row_of(code), 0))
        qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
    assert model.given_codes() == ["hexa_1", "hexa_2"]
    message = (
        "« DTCaP-Hib-HepB (hexavalent) – 1re dose » et « DTCaP-Hib-HepB (hexavalent) – "
        "2e dose » le même jour (12/05/2026) : deux doses du même vaccin doivent être "
        "espacées d'au moins 28 jours. Vérifiez la saisie."
    )
    assert widget.interval_label.isVisibleTo(screen) and widget.interval_label.text() == message
    hexa_2 = model.row_of("hexa_2")
    status = model.index(hexa_2, VaccinationsTableModel.COL_STATUS)
    assert model.data(status) == "fait ce jour — intervalle trop court"
    assert model.data(status, Qt.ItemDataRole.ToolTipRole) == message

    seen: list[str] = []
    answer_message_box(qtbot, seen, key=Qt.Key.Key_Escape)
    qtbot.mouseClick(screen.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(seen))
    assert message in seen[0]
    assert len(stored(nurse_store, PmiConsultation)) == 1
    assert model.given_codes() == ["hexa_1", "hexa_2"]  # the ticks are kept

    rect = table.visualRect(model.index(hexa_2, 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())  # untick the second dose
    assert not widget.interval_label.isVisibleTo(screen)
    assert model.data(status) == "à faire"
    with qtbot.waitSignal(screen.consultation_saved):
        qtbot.mouseClick(screen.save_button, LEFT)
