"""A randomly initialised model with the shape and tokenizer of the embedded SmolLM2-135M, as a Hugging Face folder.

For machines where the embedded GGUF cannot travel (a GPU machine reached through a small file transfer): the
tokenizer (a few MB) travels, the weights are made there.

    PYTHONPATH=src python scripts/random_model.py --tokenizer-only build/smollm2-tokenizer   # here: the tokenizer
    PYTHONPATH=src python scripts/random_model.py OUT --tokenizer build/smollm2-tokenizer    # there: the model
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# SmolLM2-135M(-Instruct): a Llama with tied embeddings.
SHAPES = {
    "smollm2-135m": dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                         num_key_value_heads=3, max_position_embeddings=8192, rope_theta=100000.0),
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=2048, rope_theta=10000.0),
}


def tokenizer_from(folder: str | None):
    from transformers import AutoTokenizer

    if folder:
        tok = AutoTokenizer.from_pretrained(folder)
    else:
        from alignkit.models import load_tokenizer

        tok = load_tokenizer("smollm2-135m-instruct")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def build(out: Path, shape: str, tokenizer: str | None, seed: int = 0) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = tokenizer_from(tokenizer)
    config = LlamaConfig(vocab_size=len(tok), bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                         pad_token_id=tok.pad_token_id, tie_word_embeddings=True, rms_norm_eps=1e-5,
                         **SHAPES[shape])
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.config.name_or_path = f"random-{shape}"
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--shape", choices=sorted(SHAPES), default="smollm2-135m")
    p.add_argument("--tokenizer", help="a tokenizer folder (default: the embedded model's)")
    p.add_argument("--tokenizer-only", action="store_true", help="write the tokenizer only (to carry elsewhere)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.tokenizer_only:
        tokenizer_from(args.tokenizer).save_pretrained(args.out)
    else:
        build(args.out, args.shape, args.tokenizer, args.seed)
    print(args.out)


if __name__ == "__main__":
    main()
