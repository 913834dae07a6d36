#!/usr/bin/env bash
# One prepared GPU check, under 8 minutes on one H100/H200: every trainer for 2 steps in bf16, a 1-process FSDP
# launch, HF generation under DeepSpeed ZeRO-3 (when deepspeed is importable), eval on a few HumanEval problems
# (standalone, and during training when alignkit.eval.during_training exists), and the sandbox tests.
#
#   bash scripts/gpu_check.sh                       # the embedded SmolLM2-135M, or a random model of its shape
#   MODEL=/path/to/hf-folder bash scripts/gpu_check.sh
#   TOKENIZER=shared/smollm2-tokenizer bash scripts/gpu_check.sh   # the GGUF cannot travel: carry the tokenizer
#                                                   # (made with scripts/random_model.py --tokenizer-only)
#   DRY_RUN=1 bash scripts/gpu_check.sh             # print the commands only
#   ONLY='cgpo|sandbox' bash scripts/gpu_check.sh   # the checks whose name matches (a rerun of the failed ones)
#
# One line per check (PASS / FAIL / SKIP, seconds, log file); on a failure the log's tail. Exit code: the number
# of failed checks. Everything goes under $OUT (default: a fresh /tmp folder).
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
OUT=${OUT:-$(mktemp -d /tmp/alignkit-gpu-check.XXXXXX)}
DRY=${DRY_RUN:-0}
ONLY=${ONLY:-}
STEP_LIMIT=${STEP_LIMIT:-150}   # seconds per check
mkdir -p "$OUT"
START=$SECONDS
FAILED=0
SUMMARY=()

report() {  # report NAME STATUS SECONDS
  local line
  line=$(printf '%-26s %-8s %4ss  %s' "$1" "$2" "$3" "$OUT/$1.log")
  echo "$line"
  SUMMARY+=("$line")
}

check() {  # check NAME CMD... : run CMD with a time limit; PASS when it exits 0
  local name=$1 t0=$SECONDS status
  shift
  if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then return 0; fi
  if [ "$DRY" = 1 ]; then echo "DRY  $name: $*"; return 0; fi
  if timeout "$STEP_LIMIT" "$@" >"$OUT/$name.log" 2>&1; then status=PASS; else status="FAIL($?)"; fi
  report "$name" "$status" $((SECONDS - t0))
  if [ "$status" != PASS ]; then
    FAILED=$((FAILED + 1))
    tail -n 20 "$OUT/$name.log" | sed 's/^/    /'
  fi
}

skip() {
  if [ -n "$ONLY" ] && ! [[ $1 =~ $ONLY ]]; then return 0; fi
  report "$1" "SKIP" 0
  echo "    $2"
}

# metrics.jsonl of a run has its training steps 1..N
cat >"$OUT/steps_logged.py" <<'PYEOF'
import json, sys
from pathlib import Path
rows = [json.loads(l) for l in (Path(sys.argv[1]) / "metrics.jsonl").read_text().splitlines() if l.strip()]
steps = sorted({r["step"] for r in rows if r.get("step", 0) > 0 and not any(k.startswith("eval/") for k in r)})
assert steps and steps[-1] == int(sys.argv[2]), f"training steps logged: {steps}"
print("training steps logged:", steps)
PYEOF

run_trainer() {  # run_trainer NAME COMMAND ARGS... : 2 steps, then check metrics.jsonl
  local name=$1
  shift
  check "$name" bash -c "$(printf '%q ' "$PY" -m alignkit.cli "$@" "output_dir=$OUT/runs/$name") && \
    $(printf '%q ' "$PY" "$OUT/steps_logged.py" "$OUT/runs/$name" 2)"
}

# --- the model ------------------------------------------------------------------------------------------------
if [ -z "${MODEL:-}" ]; then
  if "$PY" -c "from alignkit.models import embedded_checkpoint; embedded_checkpoint()" >/dev/null 2>&1; then
    MODEL=smollm2-135m-instruct
  else
    MODEL="$OUT/random-smollm2-135m"
    echo "The embedded model is not here: a random model of its shape in $MODEL"
    if [ "$DRY" != 1 ]; then
      "$PY" scripts/random_model.py "$MODEL" --shape smollm2-135m ${TOKENIZER:+--tokenizer "$TOKENIZER"} \
        >"$OUT/model.log" 2>&1 || { echo "could not build the model:"; tail -n 20 "$OUT/model.log"; exit 99; }
    fi
  fi
fi
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), \
torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
echo "model: $MODEL   output: $OUT"

M=("model.name_or_path=$MODEL" "model.dtype=bfloat16" "trainer.max_steps=2")
RL=("${M[@]}" "trainer.progress=false" "trainer.save_steps=1")
JUDGE_MODELS=()  # LLM judges and rewards of the chat tasks read with the same model
for t in chat_general chat_factual chat_harmful; do JUDGE_MODELS+=("tasks.$t.reward.judge.model=$MODEL"); done
JUDGE_MODELS+=("tasks.chat_general.judges.llm_false_refusal.model=$MODEL"
               "tasks.chat_factual.judges.llm_factuality.model=$MODEL"
               "tasks.chat_harmful.judges.llm_safety.model=$MODEL")

# --- every trainer, 2 steps, bf16 --------------------------------------------------------------------------------
run_trainer sft sft recipe=coding "${M[@]}" data.eval_limit=8
run_trainer rm rm recipe=coding "${M[@]}"
run_trainer cgpo_crpg cgpo recipe=coding "${RL[@]}" tasks.coding.max_new_tokens=96
run_trainer cgpo_codpo cgpo recipe=coding "${RL[@]}" tasks.coding.optimizer=codpo tasks.coding.max_new_tokens=96
run_trainer cgpo_crraft_lora cgpo recipe=instruction_following "${RL[@]}" model.lora.r=8 \
  tasks.instruction_following.max_new_tokens=96
run_trainer cgpo_multitask cgpo recipe=multitask "${RL[@]}" "${JUDGE_MODELS[@]}"
for cmd in score-init score-rl eva-evolve; do  # the trainers written on the engine, once they exist
  if "$PY" -c "import sys; from alignkit.cli import COMMANDS; sys.exit(0 if any(c.name == '$cmd' and c.module \
for c in COMMANDS) else 1)" 2>/dev/null; then
    run_trainer "$cmd" "$cmd" "${RL[@]}"
  else
    skip "$cmd" "alignkit $cmd is not built in this version"
  fi
done

# --- distributed: FSDP (1 process), DeepSpeed ZeRO-3 with HF generation --------------------------------------------
PORT=$((29500 + RANDOM % 1000))
check fsdp_launch_1proc bash -c "$(printf '%q ' "$PY" -m accelerate.commands.launch --config_file recipes/accelerate/fsdp.yaml \
  --num_processes 1 --main_process_port "$PORT" -m alignkit.cli cgpo recipe=coding "${RL[@]}" \
  tasks.coding.max_new_tokens=64 "output_dir=$OUT/runs/fsdp_launch_1proc") && \
  $(printf '%q ' "$PY" "$OUT/steps_logged.py" "$OUT/runs/fsdp_launch_1proc" 2) && \
  test -d $OUT/runs/fsdp_launch_1proc/checkpoints/checkpoint-2"
if "$PY" -c "import deepspeed" >/dev/null 2>&1; then
  # baseline=policy: ȳ is drawn from π_ref and the rollouts from π, both with HF generate on gathered ZeRO-3 weights
  check zero3_hf_generation bash -c "$(printf '%q ' "$PY" -m accelerate.commands.launch --config_file recipes/accelerate/deepspeed_zero3.yaml \
    --num_processes 1 --main_process_port $((PORT + 1)) -m alignkit.cli cgpo recipe=instruction_following \
    "${RL[@]}" generation.backend=hf tasks.instruction_following.max_new_tokens=64 \
    "output_dir=$OUT/runs/zero3_hf_generation") && \
    $(printf '%q ' "$PY" "$OUT/steps_logged.py" "$OUT/runs/zero3_hf_generation" 2)"
else
  skip zero3_hf_generation "deepspeed is not installed here (pip install deepspeed)"
fi

# --- eval: standalone and during training --------------------------------------------------------------------------
check eval_humaneval "$PY" -m alignkit.cli eval humaneval "model.name_or_path=$MODEL" model.dtype=bfloat16 limit=8 \
  generation.max_new_tokens=128 "output_dir=$OUT/runs/eval_humaneval"
if "$PY" -c "import alignkit.eval.during_training" >/dev/null 2>&1; then
  check eval_during_training bash -c "$(printf '%q ' "$PY" -m alignkit.cli cgpo recipe=coding "${RL[@]}" \
    tasks.coding.max_new_tokens=64 'eval.tasks=[humaneval]' eval.limit=4 eval.every=1 \
    "output_dir=$OUT/runs/eval_during_training") && grep -q '\"eval/' $OUT/runs/eval_during_training/metrics.jsonl"
else
  skip eval_during_training "alignkit.eval.during_training is not in this version"
fi

# --- the sandbox ----------------------------------------------------------------------------------------------------
check sandbox_tests "$PY" -m pytest -q -p no:cacheprovider tests/unit/test_sandbox.py

echo
echo "== gpu_check: $((${#SUMMARY[@]})) checks, $FAILED failed, $((SECONDS - START)) s in all (budget 480 s) =="
printf '%s\n' "${SUMMARY[@]}"
exit "$FAILED"
