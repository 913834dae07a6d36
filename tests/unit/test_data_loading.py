"""alignkit.data loaders: shipped names, local JSONL/JSON/Parquet/CSV files, column mapping, clear errors."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.data import (  # noqa: E402
    list_shipped,
    load_prompts,
    load_sft_dataset,
    loading,  # noqa: E402
    prompts_and_metadata,
)
from alignkit.errors import DataError, UserError  # noqa: E402


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


MATH_ROWS = [
    {"question": "What is 2 + 3?", "solution": 5, "source": "hand"},
    {"question": "What is 10 / 4?", "solution": "2.5", "source": "hand"},
]


# ---------------------------------------------------------------------------------------------- shipped


@pytest.mark.parametrize("name", ["coding", "math", "instruction_following", "chat"])
def test_load_shipped_by_name(name: str) -> None:
    records = load_prompts(name, split="test")
    assert records and all(r["task"] == name for r in records)
    assert set(records[0]) == {"id", "task", "prompt", "metadata", "reference"}
    for key in loading.REQUIRED_METADATA[name]:
        assert key in records[0]["metadata"]


def test_limit_and_split() -> None:
    train = load_prompts("math", split="train", limit=7)
    assert len(train) == 7 and train[0]["id"] == "math-train-0001"
    assert load_prompts("math", split="test", limit=3)[0]["id"].startswith("math-test-")


def test_prompts_and_metadata_are_parallel() -> None:
    records = load_prompts("coding", limit=4)
    prompts, metadata = prompts_and_metadata(records)
    assert prompts == [r["prompt"] for r in records]
    assert [m["entry_point"] for m in metadata] == [r["metadata"]["entry_point"] for r in records]


def test_unknown_shipped_name_lists_valid_names() -> None:
    with pytest.raises(DataError) as err:
        load_prompts("codign")
    message = str(err.value)
    assert "codign" in message and "coding" in message and "instruction_following" in message


def test_unknown_split_of_shipped_set() -> None:
    with pytest.raises(DataError, match=r"no split 'validation'.*test, train"):
        load_prompts("chat", split="validation")


def test_data_error_is_a_user_error() -> None:
    assert issubclass(DataError, UserError)


def test_bad_limit_and_task() -> None:
    with pytest.raises(DataError, match="limit"):
        load_prompts("math", limit=0)
    with pytest.raises(DataError, match="Unknown task 'poetry'"):
        load_prompts("math", task="poetry")


# ---------------------------------------------------------------------------------------------- local files


def test_jsonl_with_column_mapping(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gsm.jsonl", MATH_ROWS)
    records = load_prompts(str(path), columns={"prompt": "question", "metadata.answer": "solution"})
    assert [r["prompt"] for r in records] == ["What is 2 + 3?", "What is 10 / 4?"]
    assert [r["metadata"]["answer"] for r in records] == ["5", "2.5"]  # numbers become exact strings
    assert records[0]["task"] == "math"  # inferred from metadata.answer
    assert records[0]["metadata"]["source"] == "hand"  # unmapped columns are kept in metadata
    assert records[0]["id"] == "gsm-train-00000" and records[0]["reference"] is None


def test_nested_metadata_mapping_and_explicit_task(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "hi there", "level": 3}])
    (record,) = load_prompts(
        str(path), columns={"prompt": "text", "metadata.info.level": "level"}, task="chat"
    )
    assert record["metadata"] == {"info": {"level": 3}} and record["task"] == "chat"


def test_missing_prompt_column_names_file_and_column(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gsm.jsonl", MATH_ROWS)
    with pytest.raises(DataError) as err:
        load_prompts(str(path))
    message = str(err.value)
    assert str(path) in message and "'prompt'" in message and "question" in message  # lists present columns


def test_missing_mapped_column_names_it(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gsm.jsonl", MATH_ROWS)
    with pytest.raises(DataError, match=r"gsm\.jsonl.*'answer_text'.*metadata\.answer"):
        load_prompts(str(path), columns={"prompt": "question", "metadata.answer": "answer_text"})


def test_missing_required_metadata_for_task(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "code.jsonl", [{"prompt": "write f", "entry_point": "f"}])
    with pytest.raises(DataError) as err:
        load_prompts(str(path), task="coding")
    assert "'tests'" in str(err.value) and "code.jsonl" in str(err.value) and "entry_point" in str(err.value)


def test_empty_split_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"empty\.jsonl.*empty"):
        load_prompts(str(path))
    with pytest.raises(DataError, match="empty"):
        load_sft_dataset(str(path))


def test_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        load_prompts(str(tmp_path / "nope.jsonl"))
    with pytest.raises(DataError, match="not found"):
        load_prompts("./missing/prompts")


def test_invalid_json_line_reports_line_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"prompt": "ok"}\n{"prompt": \n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:2"):
        load_prompts(str(path))


def test_bad_column_mapping_target() -> None:
    with pytest.raises(DataError, match="'question' is not a schema field"):
        load_prompts("math", columns={"question": "prompt"})


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dup.jsonl", [{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}])
    with pytest.raises(DataError, match="duplicate id 'a'"):
        load_prompts(str(path))


def test_csv_decodes_json_cells(tmp_path: Path) -> None:
    path = tmp_path / "code.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "prompt", "entry_point", "tests"])
        writer.writeheader()
        writer.writerow(
            {
                "id": "c1",
                "prompt": "Write add",
                "entry_point": "add2",
                "tests": json.dumps(["assert add2(1, 2) == 3"]),
            }
        )
    (record,) = load_prompts(str(path))
    assert record["task"] == "coding" and record["id"] == "c1"
    assert record["metadata"]["tests"] == ["assert add2(1, 2) == 3"] and record["metadata"]["setup"] == ""


def test_parquet_and_json_and_directory(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    numeric = [{**row, "solution": float(row["solution"])} for row in MATH_ROWS]  # 5.0 and 2.5
    pq.write_table(pa.Table.from_pylist(numeric), tmp_path / "train.parquet")
    (tmp_path / "test.json").write_text(
        json.dumps([{"prompt": "Hello?", "category": "open"}]), encoding="utf-8"
    )
    mapping = {"prompt": "question", "metadata.answer": "solution"}
    from_file = load_prompts(str(tmp_path / "train.parquet"), columns=mapping)
    from_dir = load_prompts(str(tmp_path), split="train", columns=mapping)
    assert (
        [r["metadata"]["answer"] for r in from_file]
        == ["5", "2.5"]
        == [r["metadata"]["answer"] for r in from_dir]
    )
    (chat,) = load_prompts(str(tmp_path), split="test")
    assert chat["task"] == "chat" and chat["metadata"] == {"category": "open"}
    with pytest.raises(DataError, match="no file for split 'validation'.*test.json, train.parquet"):
        load_prompts(str(tmp_path), split="validation")


def test_conversational_prompt_column(tmp_path: Path) -> None:
    rows = [{"prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Hi?"}]}]
    (record,) = load_prompts(str(write_jsonl(tmp_path / "c.jsonl", rows)))
    assert record["prompt"] == "Hi?"


# ------------------------------------------------------------------------------------------------------ hub


def test_hub_name_offline_fails_fast_with_clear_error() -> None:
    with pytest.raises(DataError) as err:
        load_prompts("alignkit-test-org/does-not-exist")
    message = str(err.value)
    assert "alignkit-test-org/does-not-exist" in message and "offline" in message


def test_hub_without_network_uses_cache_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets.config
    import huggingface_hub.constants as hub_constants

    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(loading, "hub_reachable", lambda timeout_s=3.0: False)
    with pytest.raises(DataError, match="local Hugging Face cache"):
        load_prompts("alignkit-test-org/does-not-exist")
    assert datasets.config.HF_HUB_OFFLINE is False and hub_constants.HF_HUB_OFFLINE is False  # restored


def test_plain_unknown_word_is_not_sent_to_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("hub must not be contacted")

    monkeypatch.setattr(loading, "_load_hub_rows", fail)
    with pytest.raises(DataError, match="Unknown dataset 'gsm8k'"):
        load_prompts("gsm8k")


# ------------------------------------------------------------------------------------------------------ SFT


def test_shipped_sft_sets_are_conversational() -> None:
    for name in ("mixed", "sft/coding", "math"):
        ds = load_sft_dataset(name, limit=5)
        assert ds.column_names == ["prompt", "completion"] and len(ds) == 5
        row = ds[0]
        assert row["prompt"][0]["role"] == "user" and row["completion"][0]["role"] == "assistant"
    coding = load_sft_dataset("coding", split="test")
    assert all(r["completion"][0]["content"].startswith("```python") for r in coding)
    assert "The final answer is" in load_sft_dataset("math", limit=1)[0]["completion"][0]["content"]


def test_sft_from_prompt_set_uses_references() -> None:
    ds = load_sft_dataset("chat", split="train")
    shipped = [r for r in load_prompts("chat") if r["reference"]]
    assert len(ds) == len(shipped) > 0
    with pytest.raises(DataError, match="no rows with a completion"):
        load_sft_dataset("instruction_following")


def test_sft_messages_column(tmp_path: Path) -> None:
    rows = [
        {
            "messages": [
                {"role": "system", "content": "s"},
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "a"},
            ]
        }
    ]
    (row,) = load_sft_dataset(str(write_jsonl(tmp_path / "m.jsonl", rows)))
    assert [m["role"] for m in row["prompt"]] == ["system", "user"]
    assert row["completion"] == [{"role": "assistant", "content": "a"}]
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"messages": [{"role": "user", "content": "q"}]}])
    with pytest.raises(DataError, match="assistant"):
        load_sft_dataset(str(bad))


def test_sft_plain_strings_with_mapping(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "qa.jsonl", [{"q": "2+2?", "a": "4"}, {"q": "no answer", "a": None}])
    ds = load_sft_dataset(str(path), columns={"prompt": "q", "completion": "a"})
    assert len(ds) == 1  # the row without a completion is skipped
    assert ds[0] == {
        "prompt": [{"role": "user", "content": "2+2?"}],
        "completion": [{"role": "assistant", "content": "4"}],
    }
    with pytest.raises(DataError, match=r"qa\.jsonl.*'completion'.*q"):
        load_sft_dataset(str(path), columns={"prompt": "q"})


def test_list_shipped_matches_loaders() -> None:
    for name, splits in list_shipped().items():
        assert splits == ["test", "train"]
        if name.startswith("sft/"):
            assert len(load_sft_dataset(name, split="test", limit=1)) == 1
        else:
            assert len(load_prompts(name, split="test", limit=1)) == 1
