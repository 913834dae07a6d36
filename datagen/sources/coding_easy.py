"""Source of the shipped *easy* coding tier (written for alignkit, Apache-2.0).

Short, single-purpose Python functions (one to five lines of code) with the same fields and prompt shape as
``coding_problems.py``: a model of ~100M parameters solves some of them, so that RL on a laptop has satisfied
responses to learn from (``scripts/coding_difficulty.py`` measures it). Names and wording are new: the build
checks them against HumanEval's entry points and against every problem of the main coding set, held-out split
included.
"""

from __future__ import annotations

from datagen.sources.coding_problems import _p

EASY: list[dict] = [
    _p("add_three", "add_three(a: int, b: int, c: int) -> int", "returns the sum of the three numbers.",
       """
       assert add_three(1, 2, 3) == 6
       assert add_three(-1, 1, 0) == 0
       assert add_three(10, 20, 30) == 60
       """,
       """
       def add_three(a: int, b: int, c: int) -> int:
           return a + b + c
       """),
    _p("square_all", "square_all(nums: list[int]) -> list[int]", "returns a new list with the square of every number.",
       """
       assert square_all([1, 2, 3]) == [1, 4, 9]
       assert square_all([]) == []
       assert square_all([-2, 0]) == [4, 0]
       """,
       """
       def square_all(nums: list[int]) -> list[int]:
           return [n * n for n in nums]
       """),
    _p("count_char", "count_char(text: str, ch: str) -> int", "returns how many times the character `ch` occurs in `text`.",
       """
       assert count_char("banana", "a") == 3
       assert count_char("hello", "z") == 0
       assert count_char("", "a") == 0
       """,
       """
       def count_char(text: str, ch: str) -> int:
           return text.count(ch)
       """),
    _p("max_of_three", "max_of_three(a: int, b: int, c: int) -> int", "returns the largest of the three numbers.",
       """
       assert max_of_three(1, 5, 3) == 5
       assert max_of_three(-1, -5, -3) == -1
       assert max_of_three(7, 7, 2) == 7
       """,
       """
       def max_of_three(a: int, b: int, c: int) -> int:
           return max(a, b, c)
       """),
    _p("sum_of_evens", "sum_of_evens(nums: list[int]) -> int", "returns the sum of the even numbers in the list.",
       """
       assert sum_of_evens([1, 2, 3, 4]) == 6
       assert sum_of_evens([1, 3, 5]) == 0
       assert sum_of_evens([]) == 0
       assert sum_of_evens([-2, 2, 7]) == 0
       """,
       """
       def sum_of_evens(nums: list[int]) -> int:
           return sum(n for n in nums if n % 2 == 0)
       """),
    _p("reverse_sentence", "reverse_sentence(sentence: str) -> str",
       "returns the words of the sentence in reverse order, joined by single spaces.",
       """
       assert reverse_sentence("the cat sat") == "sat cat the"
       assert reverse_sentence("hello") == "hello"
       assert reverse_sentence("a b") == "b a"
       """,
       """
       def reverse_sentence(sentence: str) -> str:
           return " ".join(reversed(sentence.split()))
       """),
    _p("first_and_last", "first_and_last(items: list) -> tuple", "returns a tuple of the first and the last element of a non-empty list.",
       """
       assert first_and_last([1, 2, 3]) == (1, 3)
       assert first_and_last(["x"]) == ("x", "x")
       assert first_and_last([5, 6]) == (5, 6)
       """,
       """
       def first_and_last(items: list) -> tuple:
           return (items[0], items[-1])
       """),
    _p("word_length_map", "word_length_map(words: list[str]) -> dict", "returns a dictionary that maps each word to its length.",
       """
       assert word_length_map(["hi", "there"]) == {"hi": 2, "there": 5}
       assert word_length_map([]) == {}
       assert word_length_map(["a"]) == {"a": 1}
       """,
       """
       def word_length_map(words: list[str]) -> dict:
           return {w: len(w) for w in words}
       """),
    _p("remove_spaces", "remove_spaces(text: str) -> str", "returns the text with every space character removed.",
       """
       assert remove_spaces("a b c") == "abc"
       assert remove_spaces("  hi  ") == "hi"
       assert remove_spaces("none") == "none"
       """,
       """
       def remove_spaces(text: str) -> str:
           return text.replace(" ", "")
       """),
    _p("mean_or_zero", "mean_or_zero(nums: list[float]) -> float",
       "returns the arithmetic mean of the numbers, or 0.0 when the list is empty.",
       """
       assert mean_or_zero([1, 2, 3]) == 2.0
       assert mean_or_zero([]) == 0.0
       assert mean_or_zero([5]) == 5.0
       """,
       """
       def mean_or_zero(nums: list[float]) -> float:
           if not nums:
               return 0.0
           return sum(nums) / len(nums)
       """),
    _p("factorial_loop", "factorial_loop(n: int) -> int", "returns n! (the product 1 * 2 * ... * n), with 0! = 1.",
       """
       assert factorial_loop(5) == 120
       assert factorial_loop(0) == 1
       assert factorial_loop(1) == 1
       assert factorial_loop(3) == 6
       """,
       """
       def factorial_loop(n: int) -> int:
           result = 1
           for i in range(2, n + 1):
               result *= i
           return result
       """),
    _p("nth_fibonacci", "nth_fibonacci(n: int) -> int",
       "returns the n-th Fibonacci number, where nth_fibonacci(0) == 0 and nth_fibonacci(1) == 1.",
       """
       assert nth_fibonacci(10) == 55
       assert nth_fibonacci(0) == 0
       assert nth_fibonacci(1) == 1
       assert nth_fibonacci(2) == 1
       """,
       """
       def nth_fibonacci(n: int) -> int:
           a, b = 0, 1
           for _ in range(n):
               a, b = b, a + b
           return a
       """),
    _p("count_positives", "count_positives(nums: list[int]) -> int", "returns how many numbers in the list are greater than zero.",
       """
       assert count_positives([1, -2, 3, 0]) == 2
       assert count_positives([]) == 0
       assert count_positives([-1, -2]) == 0
       """,
       """
       def count_positives(nums: list[int]) -> int:
           return sum(1 for n in nums if n > 0)
       """),
    _p("merge_two_dicts", "merge_two_dicts(a: dict, b: dict) -> dict",
       "returns a new dictionary with the items of `a` and `b`; for a key in both, the value from `b` wins.",
       """
       assert merge_two_dicts({"x": 1}, {"y": 2}) == {"x": 1, "y": 2}
       assert merge_two_dicts({"x": 1}, {"x": 5}) == {"x": 5}
       assert merge_two_dicts({}, {}) == {}
       """,
       """
       def merge_two_dicts(a: dict, b: dict) -> dict:
           out = dict(a)
           out.update(b)
           return out
       """),
    _p("capitalize_each", "capitalize_each(text: str) -> str",
       "returns the text with the first letter of every space-separated word in upper case and the rest in lower case.",
       """
       assert capitalize_each("hello world") == "Hello World"
       assert capitalize_each("pYTHON") == "Python"
       assert capitalize_each("") == ""
       """,
       """
       def capitalize_each(text: str) -> str:
           return " ".join(w.capitalize() for w in text.split(" "))
       """),
    _p("product_of_list", "product_of_list(nums: list[int]) -> int",
       "returns the product of all numbers in the list (1 for an empty list).",
       """
       assert product_of_list([2, 3, 4]) == 24
       assert product_of_list([]) == 1
       assert product_of_list([5, 0]) == 0
       """,
       """
       def product_of_list(nums: list[int]) -> int:
           result = 1
           for n in nums:
               result *= n
           return result
       """),
    _p("min_and_max", "min_and_max(nums: list[int]) -> tuple", "returns a tuple (smallest, largest) of a non-empty list.",
       """
       assert min_and_max([3, 1, 2]) == (1, 3)
       assert min_and_max([7]) == (7, 7)
       assert min_and_max([-1, -9, 4]) == (-9, 4)
       """,
       """
       def min_and_max(nums: list[int]) -> tuple:
           return (min(nums), max(nums))
       """),
    _p("repeat_text", "repeat_text(text: str, times: int) -> str", "returns `text` repeated `times` times with nothing in between.",
       """
       assert repeat_text("ab", 3) == "ababab"
       assert repeat_text("x", 0) == ""
       assert repeat_text("", 5) == ""
       """,
       """
       def repeat_text(text: str, times: int) -> str:
           return text * times
       """),
    _p("is_even_number", "is_even_number(n: int) -> bool", "returns True if `n` is even and False otherwise.",
       """
       assert is_even_number(4) is True
       assert is_even_number(7) is False
       assert is_even_number(0) is True
       assert is_even_number(-3) is False
       """,
       """
       def is_even_number(n: int) -> bool:
           return n % 2 == 0
       """),
    _p("absolute_difference", "absolute_difference(a: int, b: int) -> int", "returns the absolute value of the difference of the two numbers.",
       """
       assert absolute_difference(3, 10) == 7
       assert absolute_difference(10, 3) == 7
       assert absolute_difference(-2, 2) == 4
       """,
       """
       def absolute_difference(a: int, b: int) -> int:
           return abs(a - b)
       """),
    _p("last_or_none", "last_or_none(items: list)", "returns the last element of the list, or None if the list is empty.",
       """
       assert last_or_none([1, 2, 3]) == 3
       assert last_or_none([]) is None
       assert last_or_none(["a"]) == "a"
       """,
       """
       def last_or_none(items: list):
           return items[-1] if items else None
       """),
    _p("sorted_unique", "sorted_unique(nums: list[int]) -> list[int]", "returns the distinct numbers of the list in ascending order.",
       """
       assert sorted_unique([3, 1, 3, 2, 1]) == [1, 2, 3]
       assert sorted_unique([]) == []
       assert sorted_unique([5, 5]) == [5]
       """,
       """
       def sorted_unique(nums: list[int]) -> list[int]:
           return sorted(set(nums))
       """),
    _p("words_starting_with", "words_starting_with(words: list[str], letter: str) -> list[str]",
       "returns the words that start with the given letter, in their original order.",
       """
       assert words_starting_with(["apple", "banana", "avocado"], "a") == ["apple", "avocado"]
       assert words_starting_with([], "a") == []
       assert words_starting_with(["kiwi"], "b") == []
       """,
       """
       def words_starting_with(words: list[str], letter: str) -> list[str]:
           return [w for w in words if w.startswith(letter)]
       """),
    _p("double_values", "double_values(d: dict) -> dict", "returns a new dictionary with the same keys and every value multiplied by 2.",
       """
       assert double_values({"a": 1, "b": 5}) == {"a": 2, "b": 10}
       assert double_values({}) == {}
       assert double_values({"x": -3}) == {"x": -6}
       """,
       """
       def double_values(d: dict) -> dict:
           return {k: v * 2 for k, v in d.items()}
       """),
    _p("dot_product", "dot_product(a: list[int], b: list[int]) -> int",
       "returns the sum of the products of the elements at the same position in two lists of equal length.",
       """
       assert dot_product([1, 2, 3], [4, 5, 6]) == 32
       assert dot_product([], []) == 0
       assert dot_product([2], [-3]) == -6
       """,
       """
       def dot_product(a: list[int], b: list[int]) -> int:
           return sum(x * y for x, y in zip(a, b))
       """),
    _p("letter_counts", "letter_counts(text: str) -> dict",
       "returns a dictionary mapping each character of the text to the number of times it occurs.",
       """
       assert letter_counts("aab") == {"a": 2, "b": 1}
       assert letter_counts("") == {}
       assert letter_counts("xyx") == {"x": 2, "y": 1}
       """,
       """
       def letter_counts(text: str) -> dict:
           counts = {}
           for ch in text:
               counts[ch] = counts.get(ch, 0) + 1
           return counts
       """),
    _p("short_words", "short_words(words: list[str], max_len: int) -> list[str]",
       "returns the words whose length is at most `max_len`, in their original order.",
       """
       assert short_words(["a", "abc", "ab"], 2) == ["a", "ab"]
       assert short_words([], 3) == []
       assert short_words(["long"], 1) == []
       """,
       """
       def short_words(words: list[str], max_len: int) -> list[str]:
           return [w for w in words if len(w) <= max_len]
       """),
    _p("upper_all", "upper_all(words: list[str]) -> list[str]", "returns the list with every word converted to upper case.",
       """
       assert upper_all(["a", "Bc"]) == ["A", "BC"]
       assert upper_all([]) == []
       assert upper_all(["ok"]) == ["OK"]
       """,
       """
       def upper_all(words: list[str]) -> list[str]:
           return [w.upper() for w in words]
       """),
    _p("index_of_largest", "index_of_largest(nums: list[int]) -> int",
       "returns the index of the largest number in a non-empty list (the first one if it occurs more than once).",
       """
       assert index_of_largest([1, 9, 3]) == 1
       assert index_of_largest([4]) == 0
       assert index_of_largest([2, 7, 7]) == 1
       """,
       """
       def index_of_largest(nums: list[int]) -> int:
           return nums.index(max(nums))
       """),
    _p("digit_sum", "digit_sum(n: int) -> int", "returns the sum of the decimal digits of a non-negative integer.",
       """
       assert digit_sum(123) == 6
       assert digit_sum(0) == 0
       assert digit_sum(9001) == 10
       """,
       """
       def digit_sum(n: int) -> int:
           return sum(int(d) for d in str(n))
       """),
    _p("is_vowel_char", "is_vowel_char(ch: str) -> bool", "returns True if the single character is a vowel (a, e, i, o, u, upper or lower case).",
       """
       assert is_vowel_char("a") is True
       assert is_vowel_char("E") is True
       assert is_vowel_char("b") is False
       """,
       """
       def is_vowel_char(ch: str) -> bool:
           return ch.lower() in "aeiou"
       """),
    _p("count_vowel_letters", "count_vowel_letters(text: str) -> int",
       "returns how many characters of the text are vowels (a, e, i, o, u, upper or lower case).",
       """
       assert count_vowel_letters("Hello World") == 3
       assert count_vowel_letters("xyz") == 0
       assert count_vowel_letters("AEIOU") == 5
       """,
       """
       def count_vowel_letters(text: str) -> int:
           return sum(1 for ch in text if ch.lower() in "aeiou")
       """),
    _p("swap_tuple", "swap_tuple(pair: tuple) -> tuple", "returns a two-element tuple with its elements swapped.",
       """
       assert swap_tuple((1, 2)) == (2, 1)
       assert swap_tuple(("a", "b")) == ("b", "a")
       assert swap_tuple((0, 0)) == (0, 0)
       """,
       """
       def swap_tuple(pair: tuple) -> tuple:
           return (pair[1], pair[0])
       """),
    _p("power_all", "power_all(nums: list[int], exponent: int) -> list[int]",
       "returns a new list with every number raised to the given exponent.",
       """
       assert power_all([1, 2, 3], 2) == [1, 4, 9]
       assert power_all([2], 3) == [8]
       assert power_all([], 5) == []
       """,
       """
       def power_all(nums: list[int], exponent: int) -> list[int]:
           return [n ** exponent for n in nums]
       """),
    _p("all_distinct", "all_distinct(items: list) -> bool", "returns True if no element of the list appears twice.",
       """
       assert all_distinct([1, 2, 3]) is True
       assert all_distinct([1, 2, 1]) is False
       assert all_distinct([]) is True
       """,
       """
       def all_distinct(items: list) -> bool:
           return len(set(items)) == len(items)
       """),
    _p("middle_char", "middle_char(text: str) -> str",
       "returns the middle character of a string of odd length, or the two middle characters of a string of even length.",
       """
       assert middle_char("abc") == "b"
       assert middle_char("abcd") == "bc"
       assert middle_char("x") == "x"
       """,
       """
       def middle_char(text: str) -> str:
           mid = len(text) // 2
           return text[mid] if len(text) % 2 else text[mid - 1:mid + 1]
       """),
    _p("join_with_dashes", "join_with_dashes(words: list[str]) -> str", "returns the words joined by a dash character '-'.",
       """
       assert join_with_dashes(["a", "b", "c"]) == "a-b-c"
       assert join_with_dashes(["one"]) == "one"
       assert join_with_dashes([]) == ""
       """,
       """
       def join_with_dashes(words: list[str]) -> str:
           return "-".join(words)
       """),
    _p("divide_or_none", "divide_or_none(a: float, b: float)", "returns a / b, or None when b is zero.",
       """
       assert divide_or_none(6, 3) == 2
       assert divide_or_none(1, 0) is None
       assert divide_or_none(1, 4) == 0.25
       """,
       """
       def divide_or_none(a: float, b: float):
           if b == 0:
               return None
           return a / b
       """),
    _p("clamp_number", "clamp_number(x: int, low: int, high: int) -> int",
       "returns `x` limited to the range from `low` to `high`: `low` if x is smaller, `high` if x is larger, otherwise x.",
       """
       assert clamp_number(5, 0, 10) == 5
       assert clamp_number(-3, 0, 10) == 0
       assert clamp_number(42, 0, 10) == 10
       """,
       """
       def clamp_number(x: int, low: int, high: int) -> int:
           return max(low, min(x, high))
       """),
    _p("count_above", "count_above(nums: list[int], limit: int) -> int", "returns how many numbers in the list are strictly greater than `limit`.",
       """
       assert count_above([1, 5, 10], 4) == 2
       assert count_above([], 0) == 0
       assert count_above([3, 3], 3) == 0
       """,
       """
       def count_above(nums: list[int], limit: int) -> int:
           return sum(1 for n in nums if n > limit)
       """),
    _p("km_to_miles", "km_to_miles(km: float) -> float", "converts kilometres to miles (1 km = 0.621371 miles), rounded to 2 decimals.",
       """
       assert km_to_miles(10) == 6.21
       assert km_to_miles(0) == 0.0
       assert km_to_miles(1.5) == 0.93
       """,
       """
       def km_to_miles(km: float) -> float:
           return round(km * 0.621371, 2)
       """),
    _p("split_seconds", "split_seconds(total: int) -> tuple",
       "returns a tuple (minutes, seconds) for a number of seconds, e.g. 125 seconds is 2 minutes and 5 seconds.",
       """
       assert split_seconds(125) == (2, 5)
       assert split_seconds(59) == (0, 59)
       assert split_seconds(120) == (2, 0)
       """,
       """
       def split_seconds(total: int) -> tuple:
           return (total // 60, total % 60)
       """),
    _p("starts_with_vowel", "starts_with_vowel(word: str) -> bool",
       "returns True if the word starts with a vowel (a, e, i, o, u, upper or lower case); False for an empty word.",
       """
       assert starts_with_vowel("apple") is True
       assert starts_with_vowel("Egg") is True
       assert starts_with_vowel("pear") is False
       assert starts_with_vowel("") is False
       """,
       """
       def starts_with_vowel(word: str) -> bool:
           return bool(word) and word[0].lower() in "aeiou"
       """),
    _p("drop_negatives", "drop_negatives(nums: list[int]) -> list[int]", "returns the list without its negative numbers, keeping the order.",
       """
       assert drop_negatives([1, -2, 3, -4]) == [1, 3]
       assert drop_negatives([]) == []
       assert drop_negatives([0, -1]) == [0]
       """,
       """
       def drop_negatives(nums: list[int]) -> list[int]:
           return [n for n in nums if n >= 0]
       """),
    _p("numbers_to_csv", "numbers_to_csv(nums: list[int]) -> str", "returns the numbers written as text and joined by commas without spaces.",
       """
       assert numbers_to_csv([1, 2, 3]) == "1,2,3"
       assert numbers_to_csv([]) == ""
       assert numbers_to_csv([10]) == "10"
       """,
       """
       def numbers_to_csv(nums: list[int]) -> str:
           return ",".join(str(n) for n in nums)
       """),
    _p("prefix_sums", "prefix_sums(nums: list[int]) -> list[int]",
       "returns a list whose i-th element is the sum of the first i + 1 numbers of the input.",
       """
       assert prefix_sums([1, 2, 3]) == [1, 3, 6]
       assert prefix_sums([]) == []
       assert prefix_sums([5, -5]) == [5, 0]
       """,
       """
       def prefix_sums(nums: list[int]) -> list[int]:
           out, total = [], 0
           for n in nums:
               total += n
               out.append(total)
           return out
       """),
    _p("neighbor_sums", "neighbor_sums(nums: list[int]) -> list[int]",
       "returns the sums of each pair of neighbouring numbers: [a+b, b+c, ...] for [a, b, c, ...].",
       """
       assert neighbor_sums([1, 2, 3]) == [3, 5]
       assert neighbor_sums([4]) == []
       assert neighbor_sums([1, 1, 1, 1]) == [2, 2, 2]
       """,
       """
       def neighbor_sums(nums: list[int]) -> list[int]:
           return [nums[i] + nums[i + 1] for i in range(len(nums) - 1)]
       """),
    _p("is_non_decreasing", "is_non_decreasing(nums: list[int]) -> bool",
       "returns True if every number is greater than or equal to the one before it.",
       """
       assert is_non_decreasing([1, 2, 2, 5]) is True
       assert is_non_decreasing([3, 1]) is False
       assert is_non_decreasing([]) is True
       """,
       """
       def is_non_decreasing(nums: list[int]) -> bool:
           return all(nums[i] <= nums[i + 1] for i in range(len(nums) - 1))
       """),
    _p("reversed_copy", "reversed_copy(items: list) -> list", "returns a new list with the elements in reverse order.",
       """
       assert reversed_copy([1, 2, 3]) == [3, 2, 1]
       assert reversed_copy([]) == []
       assert reversed_copy(["a"]) == ["a"]
       """,
       """
       def reversed_copy(items: list) -> list:
           return items[::-1]
       """),
    _p("count_value", "count_value(items: list, value) -> int", "returns how many elements of the list are equal to `value`.",
       """
       assert count_value([1, 2, 1, 1], 1) == 3
       assert count_value([], 5) == 0
       assert count_value(["a", "b"], "c") == 0
       """,
       """
       def count_value(items: list, value) -> int:
           return items.count(value)
       """),
    _p("even_positions", "even_positions(items: list) -> list", "returns the elements at even indices (0, 2, 4, ...).",
       """
       assert even_positions([1, 2, 3, 4, 5]) == [1, 3, 5]
       assert even_positions([]) == []
       assert even_positions(["a", "b"]) == ["a"]
       """,
       """
       def even_positions(items: list) -> list:
           return items[::2]
       """),
    _p("square_of_total", "square_of_total(nums: list[int]) -> int", "returns the square of the sum of the numbers.",
       """
       assert square_of_total([1, 2, 3]) == 36
       assert square_of_total([]) == 0
       assert square_of_total([-2]) == 4
       """,
       """
       def square_of_total(nums: list[int]) -> int:
           return sum(nums) ** 2
       """),
    _p("letter_grade", "letter_grade(score: int) -> str",
       "returns \"A\" for a score of 90 or more, \"B\" for 80 to 89, \"C\" for 70 to 79 and \"F\" below 70.",
       """
       assert letter_grade(95) == "A"
       assert letter_grade(85) == "B"
       assert letter_grade(70) == "C"
       assert letter_grade(12) == "F"
       """,
       """
       def letter_grade(score: int) -> str:
           if score >= 90:
               return "A"
           if score >= 80:
               return "B"
           if score >= 70:
               return "C"
           return "F"
       """),
    _p("divides_evenly", "divides_evenly(a: int, b: int) -> bool", "returns True if `a` is divisible by `b` with no remainder.",
       """
       assert divides_evenly(10, 5) is True
       assert divides_evenly(10, 3) is False
       assert divides_evenly(0, 7) is True
       """,
       """
       def divides_evenly(a: int, b: int) -> bool:
           return a % b == 0
       """),
    _p("rectangle_area", "rectangle_area(width: float, height: float) -> float", "returns the area of a rectangle with the given width and height.",
       """
       assert rectangle_area(3, 4) == 12
       assert rectangle_area(0, 5) == 0
       assert rectangle_area(2.5, 2) == 5.0
       """,
       """
       def rectangle_area(width: float, height: float) -> float:
           return width * height
       """),
    _p("hours_to_seconds", "hours_to_seconds(hours: int) -> int", "returns the number of seconds in the given number of hours.",
       """
       assert hours_to_seconds(1) == 3600
       assert hours_to_seconds(0) == 0
       assert hours_to_seconds(2) == 7200
       """,
       """
       def hours_to_seconds(hours: int) -> int:
           return hours * 3600
       """),
    _p("yes_or_no", "yes_or_no(flag: bool) -> str", "returns \"yes\" when the flag is True and \"no\" when it is False.",
       """
       assert yes_or_no(True) == "yes"
       assert yes_or_no(False) == "no"
       assert yes_or_no(3 > 2) == "yes"
       """,
       """
       def yes_or_no(flag: bool) -> str:
           return "yes" if flag else "no"
       """),
    _p("first_squares", "first_squares(n: int) -> list[int]", "returns the squares of 1, 2, ..., n in a list.",
       """
       assert first_squares(3) == [1, 4, 9]
       assert first_squares(0) == []
       assert first_squares(1) == [1]
       """,
       """
       def first_squares(n: int) -> list[int]:
           return [i * i for i in range(1, n + 1)]
       """),
    _p("spaces_to_underscores", "spaces_to_underscores(text: str) -> str", "returns the text with every space replaced by an underscore.",
       """
       assert spaces_to_underscores("a b c") == "a_b_c"
       assert spaces_to_underscores("none") == "none"
       assert spaces_to_underscores(" x") == "_x"
       """,
       """
       def spaces_to_underscores(text: str) -> str:
           return text.replace(" ", "_")
       """),
    _p("digit_list", "digit_list(n: int) -> list[int]", "returns the decimal digits of a non-negative integer as a list, most significant first.",
       """
       assert digit_list(1203) == [1, 2, 0, 3]
       assert digit_list(0) == [0]
       assert digit_list(7) == [7]
       """,
       """
       def digit_list(n: int) -> list[int]:
           return [int(d) for d in str(n)]
       """),
    _p("count_capitals", "count_capitals(text: str) -> int", "returns how many upper-case letters the text contains.",
       """
       assert count_capitals("Hello World") == 2
       assert count_capitals("abc") == 0
       assert count_capitals("ABC") == 3
       """,
       """
       def count_capitals(text: str) -> int:
           return sum(1 for ch in text if ch.isupper())
       """),
    _p("parse_int_list", "parse_int_list(text: str) -> list[int]",
       "parses a string of integers separated by commas, like \"1,2,3\", into a list of ints; an empty string gives [].",
       """
       assert parse_int_list("1,2,3") == [1, 2, 3]
       assert parse_int_list("") == []
       assert parse_int_list("10,-4") == [10, -4]
       """,
       """
       def parse_int_list(text: str) -> list[int]:
           if not text:
               return []
           return [int(part) for part in text.split(",")]
       """),
    _p("keys_for_value", "keys_for_value(d: dict, value) -> list",
       "returns the keys of the dictionary whose value equals `value`, in insertion order.",
       """
       assert keys_for_value({"a": 1, "b": 2, "c": 1}, 1) == ["a", "c"]
       assert keys_for_value({}, 1) == []
       assert keys_for_value({"x": 0}, 5) == []
       """,
       """
       def keys_for_value(d: dict, value) -> list:
           return [k for k, v in d.items() if v == value]
       """),
    _p("sum_of_squares_upto", "sum_of_squares_upto(n: int) -> int", "returns 1*1 + 2*2 + ... + n*n (0 when n is 0).",
       """
       assert sum_of_squares_upto(3) == 14
       assert sum_of_squares_upto(0) == 0
       assert sum_of_squares_upto(1) == 1
       """,
       """
       def sum_of_squares_upto(n: int) -> int:
           return sum(i * i for i in range(1, n + 1))
       """),
    _p("shared_items", "shared_items(a: list[int], b: list[int]) -> list[int]",
       "returns the numbers that appear in both lists, without repeats, in ascending order.",
       """
       assert shared_items([1, 2, 3], [2, 3, 4]) == [2, 3]
       assert shared_items([1], [2]) == []
       assert shared_items([5, 5, 1], [5]) == [5]
       """,
       """
       def shared_items(a: list[int], b: list[int]) -> list[int]:
           return sorted(set(a) & set(b))
       """),
    _p("count_true", "count_true(flags: list[bool]) -> int", "returns how many values in the list are True.",
       """
       assert count_true([True, False, True]) == 2
       assert count_true([]) == 0
       assert count_true([False]) == 0
       """,
       """
       def count_true(flags: list[bool]) -> int:
           return sum(1 for f in flags if f)
       """),
    _p("repeat_each", "repeat_each(items: list, k: int) -> list",
       "returns a list in which every element of `items` appears `k` times in a row.",
       """
       assert repeat_each([1, 2], 2) == [1, 1, 2, 2]
       assert repeat_each([], 3) == []
       assert repeat_each(["a"], 3) == ["a", "a", "a"]
       """,
       """
       def repeat_each(items: list, k: int) -> list:
           return [x for x in items for _ in range(k)]
       """),
    _p("last_chars", "last_chars(text: str, n: int) -> str", "returns the last `n` characters of the text (the whole text if it is shorter).",
       """
       assert last_chars("hello", 3) == "llo"
       assert last_chars("hi", 5) == "hi"
       assert last_chars("abc", 0) == ""
       """,
       """
       def last_chars(text: str, n: int) -> str:
           return text[len(text) - n:] if n < len(text) else text
       """),
    _p("scale_list", "scale_list(nums: list[int], factor: int) -> list[int]", "returns a new list with every number multiplied by `factor`.",
       """
       assert scale_list([1, 2, 3], 3) == [3, 6, 9]
       assert scale_list([], 2) == []
       assert scale_list([4], 0) == [0]
       """,
       """
       def scale_list(nums: list[int], factor: int) -> list[int]:
           return [n * factor for n in nums]
       """),
    _p("shortest_string", "shortest_string(strings: list[str]) -> str",
       "returns the shortest string of a non-empty list (the first one if several have the same length).",
       """
       assert shortest_string(["abc", "a", "ab"]) == "a"
       assert shortest_string(["xy", "zw"]) == "xy"
       assert shortest_string(["only"]) == "only"
       """,
       """
       def shortest_string(strings: list[str]) -> str:
           return min(strings, key=len)
       """),
    _p("odd_numbers_below", "odd_numbers_below(n: int) -> list[int]", "returns the odd numbers from 1 up to but not including `n`.",
       """
       assert odd_numbers_below(8) == [1, 3, 5, 7]
       assert odd_numbers_below(1) == []
       assert odd_numbers_below(2) == [1]
       """,
       """
       def odd_numbers_below(n: int) -> list[int]:
           return list(range(1, n, 2))
       """),
    _p("is_adult", "is_adult(age: int) -> bool", "returns True if the age is 18 or more.",
       """
       assert is_adult(18) is True
       assert is_adult(17) is False
       assert is_adult(40) is True
       """,
       """
       def is_adult(age: int) -> bool:
           return age >= 18
       """),
    _p("sign_of", "sign_of(n: int) -> int", "returns 1 for a positive number, -1 for a negative number and 0 for zero.",
       """
       assert sign_of(5) == 1
       assert sign_of(-2) == -1
       assert sign_of(0) == 0
       """,
       """
       def sign_of(n: int) -> int:
           if n > 0:
               return 1
           if n < 0:
               return -1
           return 0
       """),
    _p("total_length", "total_length(words: list[str]) -> int", "returns the total number of characters in all the words.",
       """
       assert total_length(["ab", "cde"]) == 5
       assert total_length([]) == 0
       assert total_length([""]) == 0
       """,
       """
       def total_length(words: list[str]) -> int:
           return sum(len(w) for w in words)
       """),
    _p("contains_digit", "contains_digit(text: str) -> bool", "returns True if at least one character of the text is a digit 0-9.",
       """
       assert contains_digit("abc1") is True
       assert contains_digit("abc") is False
       assert contains_digit("") is False
       """,
       """
       def contains_digit(text: str) -> bool:
           return any(ch.isdigit() for ch in text)
       """),
    _p("to_binary_string", "to_binary_string(n: int) -> str", "returns the binary representation of a non-negative integer without the '0b' prefix.",
       """
       assert to_binary_string(5) == "101"
       assert to_binary_string(0) == "0"
       assert to_binary_string(8) == "1000"
       """,
       """
       def to_binary_string(n: int) -> str:
           return bin(n)[2:]
       """),
    _p("perimeter_of_square", "perimeter_of_square(side: float) -> float", "returns the perimeter of a square with the given side length.",
       """
       assert perimeter_of_square(3) == 12
       assert perimeter_of_square(0) == 0
       assert perimeter_of_square(2.5) == 10.0
       """,
       """
       def perimeter_of_square(side: float) -> float:
           return 4 * side
       """),
    _p("echo_name", "echo_name(name: str) -> str", "returns the greeting \"Hello, NAME!\" with the given name in place of NAME.",
       """
       assert echo_name("Ada") == "Hello, Ada!"
       assert echo_name("") == "Hello, !"
       assert echo_name("Bob") == "Hello, Bob!"
       """,
       """
       def echo_name(name: str) -> str:
           return f"Hello, {name}!"
       """),
    _p("without_first", "without_first(items: list) -> list", "returns the list without its first element (an empty list stays empty).",
       """
       assert without_first([1, 2, 3]) == [2, 3]
       assert without_first([]) == []
       assert without_first(["a"]) == []
       """,
       """
       def without_first(items: list) -> list:
           return items[1:]
       """),
    _p("largest_key", "largest_key(d: dict)", "returns the largest key of a non-empty dictionary.",
       """
       assert largest_key({1: "a", 5: "b", 3: "c"}) == 5
       assert largest_key({"x": 1, "y": 2}) == "y"
       assert largest_key({0: 0}) == 0
       """,
       """
       def largest_key(d: dict):
           return max(d)
       """),
    _p("pairs_to_dict", "pairs_to_dict(pairs: list[tuple]) -> dict", "returns a dictionary built from a list of (key, value) tuples.",
       """
       assert pairs_to_dict([("a", 1), ("b", 2)]) == {"a": 1, "b": 2}
       assert pairs_to_dict([]) == {}
       assert pairs_to_dict([("k", 0)]) == {"k": 0}
       """,
       """
       def pairs_to_dict(pairs: list[tuple]) -> dict:
           return dict(pairs)
       """),
    _p("halve_evens", "halve_evens(nums: list[int]) -> list[int]",
       "returns a new list in which every even number is divided by 2 (integer division) and odd numbers are unchanged.",
       """
       assert halve_evens([2, 3, 8]) == [1, 3, 4]
       assert halve_evens([]) == []
       assert halve_evens([5]) == [5]
       """,
       """
       def halve_evens(nums: list[int]) -> list[int]:
           return [n // 2 if n % 2 == 0 else n for n in nums]
       """),
    _p("string_is_empty", "string_is_empty(text: str) -> bool", "returns True if the text is empty or contains only whitespace.",
       """
       assert string_is_empty("") is True
       assert string_is_empty("   ") is True
       assert string_is_empty(" a ") is False
       """,
       """
       def string_is_empty(text: str) -> bool:
           return text.strip() == ""
       """),
    _p("exclaim", "exclaim(text: str) -> str", "returns the text in upper case followed by an exclamation mark.",
       """
       assert exclaim("hi") == "HI!"
       assert exclaim("") == "!"
       assert exclaim("Go now") == "GO NOW!"
       """,
       """
       def exclaim(text: str) -> str:
           return text.upper() + "!"
       """),
]
"""The easy tier, in a fixed order (the build script shuffles it with a fixed seed)."""
