"""The requirement parser reads what a sentence states and flags what it leaves vague."""

import time

from django.core.management import call_command

from projects.requirements.evaluation import evaluate
from projects.requirements.parser import parse, read_sentence, split_sentences


def test_a_chinese_requirement_is_split_and_read():
    text = (
        "1. 签约后三十天内完成二十台水泵的安装，合同金额120万元。"
        "2. 施工质量应符合GB/T 50300-2013，由甲方负责提供临时用电。\n"
        "3. 乙方应尽快提交调试报告，原则上不晚于2027年3月31日。"
    )
    items = parse(text)
    assert [i.text for i in items] == [
        "签约后三十天内完成二十台水泵的安装，合同金额120万元",
        "施工质量应符合GB/T 50300-2013，由甲方负责提供临时用电",
        "乙方应尽快提交调试报告，原则上不晚于2027年3月31日",
    ]
    first, second, third = items
    assert first.dates == ["签约后30天内"]
    assert first.quantities == [{"value": "20", "unit": "台"}]
    assert first.amounts == [{"value": "1200000", "currency": "CNY"}]
    assert second.standards == ["GB/T 50300-2013"] and second.responsible == "customer"
    assert third.dates == ["2027-03-31"] and third.vague_terms == ["尽快", "原则上"]
    assert third.responsible == "contractor"
    # Each item points at its source sentence in the original text.
    assert all(text[i.start : i.end] == i.text for i in items)


def test_an_english_requirement_is_read_the_same_way():
    found = read_sentence(
        "The contractor shall deliver 12 units within 30 days after signing, "
        "approximately USD 250,000 in total, per ISO 9001:2015."
    )
    assert found["quantities"] == [{"value": "12", "unit": "台"}]
    assert found["dates"] == ["within 30 days after signing"]
    assert found["amounts"] == [{"value": "250000", "currency": "USD"}]
    assert found["standards"] == ["ISO 9001:2015"]
    assert found["responsible"] == "contractor"
    assert found["vague_terms"] == ["approximately"]


def test_words_that_only_contain_a_vague_character_are_not_vague():
    assert read_sentence("包括水泵、阀门等设备")["vague_terms"] == ["等"]
    assert read_sentence("焊缝质量等级为二级，等待甲方确认")["vague_terms"] == []
    assert read_sentence("开展客户满意度调查")["vague_terms"] == []
    assert read_sentence("We will talk about the design")["vague_terms"] == []
    assert read_sentence("about 200 m of cable")["vague_terms"] == ["about"]


def test_numbers_in_dates_standards_and_amounts_are_not_quantities():
    found = read_sentence("验收后15个工作日内退还5万元保证金，执行GB 50204-2015，建于1998年")
    assert found["dates"] == ["验收后15个工作日内"]
    assert found["amounts"] == [{"value": "50000", "currency": "CNY"}]
    assert found["quantities"] == []


def test_list_markers_and_blank_lines_make_no_items():
    assert [s for _, _, s in split_sentences("（一）总则\n\n(2) 第二条；\n\n")] == [
        "总则",
        "第二条",
    ]


def test_a_ten_thousand_character_text_is_parsed_in_under_a_second():
    parse("预热。")  # first use: jieba's dictionary and the classifier load once per process
    sentence = "乙方应在签约后30天内完成20台水泵的安装，尽快提交GB/T 50300-2013验收资料。"
    text = sentence * (10_000 // len(sentence) + 1)
    started = time.perf_counter()
    items = parse(text[:10_000])
    elapsed = time.perf_counter() - started
    assert len(items) >= 200
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_the_held_out_part_catches_vague_terms_with_recall_of_at_least_0_9():
    scores, training, held_out, _ = evaluate()
    assert training + held_out >= 300 and held_out >= 60
    by_field = {s.field: s for s in scores}
    assert by_field["vague_terms"].support >= 15
    assert by_field["vague_terms"].recall >= 0.9


def test_evaluate_requirements_prints_every_field(capsys):
    call_command("evaluate_requirements")
    out = capsys.readouterr().out
    for field in ("category", "quantities", "dates", "amounts", "standards", "vague_terms"):
        assert field in out
    assert "held out" in out
