import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import Campaign, Questionnaire
from assessments.services import assessment_save_answers
from tests.questionnaire.sample import sample

ROOT = Path(__file__).resolve().parents[2]

ANSWERS = {
    "privacy.basis": "legitimate",
    "privacy.special": "yes",
    "privacy.explicit": "yes",
    "privacy.dpia": "3",
    "fairness.proxies": ["postcode"],
    "fairness.reach": 50000,
    "fairness.tested": "no",
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def exported(campaign, marketer, tmp_path):
    assessment_save_answers(actor=marketer, campaign=campaign, answers=ANSWERS)
    path = tmp_path / "export.json"
    path.write_text(run("export_assessment", str(campaign.pk)), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_export_has_the_documented_shape(exported, campaign):
    data = json.loads(exported.read_text())
    assert set(data) == {"questionnaire", "version", "intake", "answers"}
    assert data["questionnaire"] == "ai-marketing-impact" and data["version"] == 1
    assert data["answers"] == ANSWERS
    assert data["intake"]["markets"] == ["eu"] and data["intake"]["team"] == "aurora"


@pytest.mark.django_db
def test_import_round_trips_an_export(exported, campaign):
    out = run("import_assessment", str(exported))
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert f"Created draft campaign {copy.pk}" in out
    assert copy.assessment.answers == ANSWERS
    assert copy.intake() == campaign.intake()
    assert copy.status == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mutate,problem",
    [
        (lambda d: d["answers"].update({"privacy.nope": "x"}), "unknown question code"),
        (lambda d: d["answers"].update({"privacy.basis": "maybe"}), "not one of the choices"),
        (lambda d: d["answers"].update({"fairness.reach": "many"}), "Enter a number"),
        (lambda d: d.update(version=99), "version 99 is not loaded"),
        (lambda d: d["intake"].update(team="nobody"), "no team"),
        (lambda d: d["intake"].update(markets=["mars"]), "intake.markets"),
    ],
)
def test_import_refuses_bad_files_and_creates_nothing(
    exported, campaign, mutate, problem, tmp_path
):
    data = json.loads(exported.read_text())
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was created"):
        call_command("import_assessment", str(bad), stdout=StringIO(), stderr=err)
    assert problem in err.getvalue()
    assert Campaign.objects.count() == 1


@pytest.fixture
def sample_yaml(tmp_path):
    data = sample()
    data["slug"] = "ai-marketing-impact"
    path = tmp_path / "def.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_score_assessment_needs_no_database(tmp_path, sample_yaml):
    # No django_db mark: any database access would fail this test.
    export = tmp_path / "a.json"
    export.write_text(
        json.dumps(
            {
                "questionnaire": "ai-marketing-impact",
                "version": 1,
                "intake": {"markets": ["eu"], "reaches_minors": False},
                "answers": ANSWERS,
            }
        )
    )
    out = run("score_assessment", str(export), "--format", "json", "--definition", str(sample_yaml))
    data = json.loads(out)
    assert data["tier"] == "III"  # the worked example in tests/questionnaire/test_scoring.py
    assert data["dimensions"]["privacy"]["residual_pct"] == 38.9
    assert data["red_flags"] == []
    text = run("score_assessment", str(export), "--definition", str(sample_yaml))
    assert text.startswith("Tier: III")


def test_score_assessment_reports_red_flags(tmp_path, sample_yaml):
    export = tmp_path / "a.json"
    export.write_text(
        json.dumps({"questionnaire": "x", "intake": {}, "answers": {"privacy.basis": "none"}})
    )
    data = json.loads(
        run("score_assessment", str(export), "--format", "json", "--definition", str(sample_yaml))
    )
    assert data["tier"] == "prohibited"
    assert data["red_flags"][0]["question"] == "privacy.basis"


def test_score_assessment_refuses_unknown_codes_and_values_listing_every_problem(
    tmp_path, sample_yaml
):
    # A mistyped red-flag value used to count as unanswered and print a tier without flags.
    export = tmp_path / "a.json"
    answers = {"zzz": "1", "privacy.basis": "nonee", "fairness.reach": "many"}
    export.write_text(json.dumps({"intake": {"markets": ["mars"]}, "answers": answers}))
    err = StringIO()
    with pytest.raises(CommandError, match="4 problem") as caught:
        call_command(
            "score_assessment",
            str(export),
            "--definition",
            str(sample_yaml),
            stdout=StringIO(),
            stderr=err,
        )
    assert caught.value.returncode == 1
    problems = err.getvalue()
    assert "zzz: unknown question code" in problems
    assert "privacy.basis: “nonee” is not one of the choices." in problems
    assert "fairness.reach: Enter a number." in problems
    assert "intake.markets" in problems


def test_score_assessment_exits_with_status_1_on_a_bad_file(tmp_path, sample_yaml):
    export = tmp_path / "a.json"
    export.write_text(json.dumps({"intake": {}, "answers": {"privacy.basis": "maybe"}}))
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "score_assessment",
            str(export),
            "--definition",
            str(sample_yaml),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        check=False,
    )
    assert done.returncode == 1
    assert "privacy.basis" in done.stderr and "Tier" not in done.stdout


@pytest.mark.django_db
def test_score_assessment_scores_against_the_exports_version_in_the_database(exported, tmp_path):
    """A v1 export keeps v1's questions and formula after v2 (scoring 2) is loaded."""
    data = sample()
    data["slug"] = "ai-marketing-impact"
    data["scoring"] = 2
    for section in data["sections"]:
        for question in section["questions"]:
            question["reference"] = {"en": question["reference"], "ar": "ع"}
    data["sections"][0]["questions"][0]["options"][1]["weight"] = 5  # "legitimate" riskier
    v2 = tmp_path / "v2.yaml"
    v2.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run("load_questionnaires", str(v2))
    assert Questionnaire.objects.get(version=2).definition["scoring"] == 2
    v1 = json.loads(run("score_assessment", str(exported), "--format", "json"))
    assert v1["scoring"] == 1 and v1["tier"] == "III"
    assert v1["dimensions"]["privacy"]["residual_pct"] == 38.9  # the v1 worked example
    moved = json.loads(exported.read_text())
    moved["version"] = 2
    exported.write_text(json.dumps(moved))
    v2_result = json.loads(run("score_assessment", str(exported), "--format", "json"))
    assert v2_result["scoring"] == 2 and v2_result["tier"] == "III"  # weight 5: a floor of III
    moved["version"] = 7
    exported.write_text(json.dumps(moved))
    with pytest.raises(CommandError, match="version 7 is not loaded"):
        run("score_assessment", str(exported))


@pytest.mark.django_db
def test_load_questionnaires_is_idempotent_and_versions_changes(sample_yaml):
    run("load_questionnaires", str(sample_yaml))
    run("load_questionnaires", str(sample_yaml))
    assert Questionnaire.objects.count() == 1
    data = yaml.safe_load(sample_yaml.read_text())
    data["sections"][0]["questions"][0]["help"]["en"] = "Changed help"
    sample_yaml.write_text(yaml.safe_dump(data, allow_unicode=True))
    out = run("load_questionnaires", str(sample_yaml))
    assert "v2 (loaded as new version)" in out
    assert list(Questionnaire.objects.values_list("version", flat=True)) == [2, 1]


@pytest.mark.django_db
def test_load_questionnaires_refuses_a_bad_definition(sample_yaml):
    data = yaml.safe_load(sample_yaml.read_text())
    data["sections"][0]["questions"][0].pop("reference")
    sample_yaml.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(CommandError):
        run("load_questionnaires", str(sample_yaml))
    assert not Questionnaire.objects.exists()


@pytest.mark.django_db
def test_existing_assessment_stays_on_its_version(campaign, sample_yaml):
    data = yaml.safe_load(sample_yaml.read_text())
    data["sections"][0]["questions"][0]["help"]["en"] = "Changed help"
    sample_yaml.write_text(yaml.safe_dump(data, allow_unicode=True))
    run("load_questionnaires", str(sample_yaml))
    campaign.assessment.refresh_from_db()
    assert campaign.assessment.questionnaire.version == 1
