"""BertTokenizer: BERT's WordPiece tokenizer built from a ``vocab.txt``, called the way Hugging Face's is.

``BertTokenizer.from_pretrained(directory)`` reads ``vocab.txt`` (or the WordPiece vocabulary inside
``tokenizer.json``) with ``tokenizer_config.json`` and ``special_tokens_map.json``. Calling it on a sentence, a list
of sentences or sentence pairs gives a BatchEncoding with ``input_ids``, ``token_type_ids`` and ``attention_mask``;
``return_tensors="pt"`` makes them int64 ember tensors and ``"np"`` NumPy arrays. The ids are those of the model's
reference tokenizer (Hugging Face ``tokenizers``, ``tokenizer.json``).

>>> import os, tempfile
>>> folder = tempfile.mkdtemp(); words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!"]
>>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("\\n".join(words))
>>> tok = BertTokenizer.from_pretrained(folder)
>>> tok(["Hello world!", "hello"], padding=True)["input_ids"]
[[2, 5, 6, 7, 3], [2, 5, 3, 0, 0]]
"""

import json
import os
import re

from ..._files import atomic_write
from .encoding import (
    VERY_LARGE_INTEGER,
    BatchEncoding,
    as_tensor,
    check_tensor_type,
    pad_features,
    padded_length,
    resolve_padding,
    resolve_truncation,
    truncate_pair,
)
from .wordpiece import BasicTokenizer, WordpieceTokenizer, load_vocab

__all__ = ["BertTokenizer", "BatchEncoding"]

SPECIAL_TOKEN_NAMES = ("unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
VOCAB_FILE = "vocab.txt"
CONFIG_FILE = "tokenizer_config.json"
SPECIAL_TOKENS_FILE = "special_tokens_map.json"
TOKENIZER_FILE = "tokenizer.json"
_CONFIG_OPTIONS = ("do_lower_case", "do_basic_tokenize", "never_split", "tokenize_chinese_chars", "strip_accents",
                   "model_max_length", "padding_side", "truncation_side", "clean_up_tokenization_spaces",
                   "max_input_chars_per_word")
# The per-token clean-up of the reference WordPiece decoder, and the extra one of clean_up_tokenization_spaces.
_DECODER_CLEANUP = ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","))
_SPACES_CLEANUP = _DECODER_CLEANUP + ((" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"),
                                      (" 're", "'re"))
_CALL_ONLY_DEFAULTS = {"stride": 0, "return_overflowing_tokens": False, "return_offsets_mapping": False}


def _token_content(value):
    """A special token as written in a config: a plain string or an AddedToken dict with ``content``."""
    return value.get("content") if isinstance(value, dict) else value


def _read_json(path):
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def _is_text(value):
    return isinstance(value, str)


def _is_word_list(value):
    return isinstance(value, (list, tuple)) and all(isinstance(word, str) for word in value)


def _replace_all(text, replacements):
    for old, new in replacements:
        text = text.replace(old, new)
    return text


class BertTokenizer:
    """BERT's WordPiece tokenizer: basic tokenization (punctuation split, CJK characters, control-character
    clean-up, lower-casing and accent stripping), WordPiece with ``##`` and ``[UNK]``, special tokens, pairs,
    truncation and padding; called as Hugging Face's ``BertTokenizer``.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "vocab.txt")
    >>> _ = open(path, "w").write("\\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able"]))
    >>> tok = BertTokenizer(path)
    >>> tok.tokenize("Unaffable!"), tok.encode("unaffable")
    (['un', '##aff', '##able', '[UNK]'], [2, 5, 6, 7, 3])
    """

    vocab_files_names = {"vocab_file": VOCAB_FILE}
    model_input_names = ["input_ids", "token_type_ids", "attention_mask"]

    def __init__(self, vocab_file=None, do_lower_case=True, do_basic_tokenize=True, never_split=None,
                 unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]",
                 tokenize_chinese_chars=True, strip_accents=None, model_max_length=None, padding_side="right",
                 truncation_side="right", clean_up_tokenization_spaces=False, max_input_chars_per_word=100,
                 vocab=None, name_or_path=""):
        if vocab is None:
            if vocab_file is None or not os.path.isfile(vocab_file):
                raise ValueError(f"Can't find a vocabulary file at path '{vocab_file}'. To load the vocabulary of a "
                                 "saved model use `BertTokenizer.from_pretrained(directory)`")
            vocab = load_vocab(vocab_file)
        for side_name, side in (("padding_side", padding_side), ("truncation_side", truncation_side)):
            if side not in ("right", "left"):
                raise ValueError(f"{side_name} should be either 'right' or 'left', got {side!r}")
        self.vocab = dict(vocab)
        self.ids_to_tokens = {index: token for token, index in self.vocab.items()}
        self.do_basic_tokenize = do_basic_tokenize
        self.basic_tokenizer = BasicTokenizer(do_lower_case=do_lower_case, never_split=never_split,
                                              tokenize_chinese_chars=tokenize_chinese_chars,
                                              strip_accents=strip_accents)
        self.wordpiece_tokenizer = WordpieceTokenizer(self.vocab, str(unk_token), max_input_chars_per_word)
        self.unk_token, self.sep_token, self.pad_token = str(unk_token), str(sep_token), str(pad_token)
        self.cls_token, self.mask_token = str(cls_token), str(mask_token)
        self.model_max_length = VERY_LARGE_INTEGER if model_max_length is None else int(model_max_length)
        self.padding_side = padding_side
        self.truncation_side = truncation_side
        self.clean_up_tokenization_spaces = clean_up_tokenization_spaces
        self.name_or_path = name_or_path
        self._special_pattern = self._compile_special_pattern()

    # ------------------------------------------------------------------------------------------------- loading

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
        """Load from a directory holding ``vocab.txt`` (or a WordPiece ``tokenizer.json``) and optionally
        ``tokenizer_config.json`` / ``special_tokens_map.json``; keyword arguments override the config.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi")
        >>> BertTokenizer.from_pretrained(folder, model_max_length=8).model_max_length
        8
        """
        path = os.fspath(pretrained_model_name_or_path)
        if os.path.isfile(path):
            return cls(path, name_or_path=path, **kwargs)
        if not os.path.isdir(path):
            raise OSError(f"Can't load tokenizer for '{path}': no such directory. ember loads tokenizers from a "
                          f"local directory holding '{VOCAB_FILE}' (download the model files first).")
        options = cls._options_from_files(path)
        options.update(kwargs)
        vocab_file = os.path.join(path, VOCAB_FILE)
        if os.path.isfile(vocab_file):
            return cls(vocab_file, name_or_path=path, **options)
        vocab = cls._vocab_from_tokenizer_json(path, options, kwargs)
        return cls(vocab=vocab, name_or_path=path, **options)

    @staticmethod
    def _options_from_files(path):
        """The constructor options written in ``tokenizer_config.json`` and ``special_tokens_map.json``."""
        config = _read_json(os.path.join(path, CONFIG_FILE))
        options = {name: config[name] for name in _CONFIG_OPTIONS if name in config}
        for name, value in {**config, **_read_json(os.path.join(path, SPECIAL_TOKENS_FILE))}.items():
            if name in SPECIAL_TOKEN_NAMES and _token_content(value) is not None:
                options[name] = _token_content(value)
        return options

    @staticmethod
    def _vocab_from_tokenizer_json(path, options, overrides):
        """The WordPiece vocabulary of ``tokenizer.json``, its normalizer settings merged into ``options``."""
        spec = _read_json(os.path.join(path, TOKENIZER_FILE))
        model = spec.get("model") or {}
        if model.get("type") != "WordPiece" or "vocab" not in model:
            raise OSError(f"Can't load tokenizer for '{path}': it holds neither '{VOCAB_FILE}' nor a WordPiece "
                          f"'{TOKENIZER_FILE}'.")
        normalizer = spec.get("normalizer") or {}
        settings = {"do_lower_case": normalizer.get("lowercase"), "strip_accents": normalizer.get("strip_accents"),
                    "tokenize_chinese_chars": normalizer.get("handle_chinese_chars"),
                    "unk_token": model.get("unk_token"),
                    "max_input_chars_per_word": model.get("max_input_chars_per_word")}
        for name, value in settings.items():
            if name not in overrides and (value is not None or name == "strip_accents"):
                options[name] = value
        return model["vocab"]

    def save_pretrained(self, save_directory):
        """Write ``vocab.txt``, ``tokenizer_config.json`` and ``special_tokens_map.json`` into ``save_directory``
        (atomically); ``from_pretrained`` reads them back. Returns the paths written.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]")
        >>> [os.path.basename(p) for p in BertTokenizer.from_pretrained(folder).save_pretrained(folder)]
        ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']
        """
        os.makedirs(save_directory, exist_ok=True)
        tokens = [self.ids_to_tokens[index] for index in sorted(self.ids_to_tokens)]
        special = {name: getattr(self, name) for name in SPECIAL_TOKEN_NAMES}
        config = {"do_lower_case": self.do_lower_case, "do_basic_tokenize": self.do_basic_tokenize,
                  "never_split": sorted(self.basic_tokenizer.never_split) or None,
                  "tokenize_chinese_chars": self.basic_tokenizer.tokenize_chinese_chars,
                  "strip_accents": self.basic_tokenizer.strip_accents, "model_max_length": self.model_max_length,
                  "padding_side": self.padding_side, "truncation_side": self.truncation_side,
                  "clean_up_tokenization_spaces": self.clean_up_tokenization_spaces,
                  "tokenizer_class": "BertTokenizer", **special}
        files = ((VOCAB_FILE, "".join(token + "\n" for token in tokens)), (CONFIG_FILE, json.dumps(config, indent=2)),
                 (SPECIAL_TOKENS_FILE, json.dumps(special, indent=2)))
        paths = []
        for name, text in files:
            paths.append(os.path.join(save_directory, name))
            atomic_write(paths[-1], lambda stream, text=text: stream.write(text.encode("utf-8")))
        return tuple(paths)

    # --------------------------------------------------------------------------------------- vocabulary facts

    @property
    def do_lower_case(self):
        """Whether text is lower-cased (and, unless ``strip_accents`` says otherwise, stripped of accents)."""
        return self.basic_tokenizer.do_lower_case

    @property
    def vocab_size(self):
        """The number of tokens in ``vocab.txt``."""
        return len(self.vocab)

    def __len__(self):
        return len(self.vocab)

    def get_vocab(self):
        """A copy of the token -> id mapping."""
        return dict(self.vocab)

    @property
    def all_special_tokens(self):
        """The special tokens (unk, sep, pad, cls, mask), each once."""
        return list(dict.fromkeys(getattr(self, name) for name in SPECIAL_TOKEN_NAMES))

    @property
    def all_special_ids(self):
        """The ids of ``all_special_tokens``."""
        return self.convert_tokens_to_ids(self.all_special_tokens)

    unk_token_id = property(lambda self: self.vocab.get(self.unk_token), doc="The id of ``unk_token`` (or None).")
    sep_token_id = property(lambda self: self.vocab.get(self.sep_token), doc="The id of ``sep_token`` (or None).")
    pad_token_id = property(lambda self: self.vocab.get(self.pad_token), doc="The id of ``pad_token`` (or None).")
    cls_token_id = property(lambda self: self.vocab.get(self.cls_token), doc="The id of ``cls_token`` (or None).")
    mask_token_id = property(lambda self: self.vocab.get(self.mask_token), doc="The id of ``mask_token`` (or None).")

    @property
    def pad_token_type_id(self):
        """The segment id given to padding (0)."""
        return 0

    def __repr__(self):
        return (f"BertTokenizer(name_or_path='{self.name_or_path}', vocab_size={self.vocab_size}, "
                f"model_max_length={self.model_max_length}, do_lower_case={self.do_lower_case}, "
                f"padding_side='{self.padding_side}', truncation_side='{self.truncation_side}', "
                f"special_tokens={self.all_special_tokens})")

    # ------------------------------------------------------------------------------------------- tokenizing

    def _compile_special_pattern(self):
        """A regex that finds the special tokens written in a text (longest first), kept as single tokens."""
        tokens = sorted(self.all_special_tokens, key=len, reverse=True)
        return re.compile("(" + "|".join(re.escape(token) for token in tokens) + ")")

    def _tokenize_plain(self, text):
        """The WordPiece tokens of text that holds no special token."""
        if not self.do_basic_tokenize:
            return self.wordpiece_tokenizer.tokenize(text)
        tokens = []
        for word in self.basic_tokenizer.tokenize(text):
            if word in self.basic_tokenizer.never_split:
                tokens.append(word)
            else:
                tokens.extend(self.wordpiece_tokenizer.tokenize(word))
        return tokens

    def tokenize(self, text, pair=None, add_special_tokens=False):
        """The tokens of ``text`` (special tokens written in it stay whole); with ``add_special_tokens`` the
        ``[CLS] ... [SEP]`` frame (and ``pair`` after the first ``[SEP]``) is added.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi")
        >>> BertTokenizer.from_pretrained(folder).tokenize("Hi [SEP] hi!")
        ['hi', '[SEP]', 'hi', '[UNK]']
        """
        tokens = []
        for index, piece in enumerate(self._special_pattern.split(text)):
            tokens.extend([piece] if index % 2 else self._tokenize_plain(piece))
        if not add_special_tokens:
            return tokens
        pair_ids = None if pair is None else self.convert_tokens_to_ids(self.tokenize(pair))
        framed = self.build_inputs_with_special_tokens(self.convert_tokens_to_ids(tokens), pair_ids)
        return self.convert_ids_to_tokens(framed)

    def convert_tokens_to_ids(self, tokens):
        """The id of a token (a str) or the ids of a list of tokens; unknown tokens give the ``[UNK]`` id.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi")
        >>> BertTokenizer.from_pretrained(folder).convert_tokens_to_ids(["hi", "nope"])
        [5, 1]
        """
        if tokens is None:
            return None
        if isinstance(tokens, str):
            return self.vocab.get(tokens, self.unk_token_id)
        return [self.vocab.get(token, self.unk_token_id) for token in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens=False):
        """The token of an id (an int) or the tokens of a list of ids; ``skip_special_tokens`` drops special ones.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi")
        >>> BertTokenizer.from_pretrained(folder).convert_ids_to_tokens([2, 5, 3], skip_special_tokens=True)
        ['hi']
        """
        if isinstance(ids, int) or (hasattr(ids, "ndim") and ids.ndim == 0):
            return self.ids_to_tokens.get(int(ids), self.unk_token)
        special = set(self.all_special_ids) if skip_special_tokens else ()
        return [self.ids_to_tokens.get(int(index), self.unk_token) for index in self._id_list(ids)
                if int(index) not in special]

    def convert_tokens_to_string(self, tokens):
        """Join WordPiece tokens into text: ``##`` pieces glue to the previous token, others get a space.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]")
        >>> BertTokenizer.from_pretrained(folder).convert_tokens_to_string(["un", "##aff", "##able", ","])
        'unaffable,'
        """
        pieces = []
        for index, token in enumerate(tokens):
            if index > 0:
                token = token[2:] if token.startswith("##") else " " + token
            pieces.append(_replace_all(token, _DECODER_CLEANUP))
        return "".join(pieces)

    # ------------------------------------------------------------------------------------- special tokens

    def num_special_tokens_to_add(self, pair=False):
        """How many special tokens frame one sequence (2) or a pair (3)."""
        return 3 if pair else 2

    def build_inputs_with_special_tokens(self, token_ids_0, token_ids_1=None):
        """``[CLS] A [SEP]`` or ``[CLS] A [SEP] B [SEP]`` as ids."""
        framed = [self.cls_token_id] + list(token_ids_0) + [self.sep_token_id]
        return framed if token_ids_1 is None else framed + list(token_ids_1) + [self.sep_token_id]

    def create_token_type_ids_from_sequences(self, token_ids_0, token_ids_1=None):
        """Segment ids for ``build_inputs_with_special_tokens``: 0 over ``[CLS] A [SEP]``, 1 over ``B [SEP]``."""
        first = [0] * (len(token_ids_0) + 2)
        return first if token_ids_1 is None else first + [1] * (len(token_ids_1) + 1)

    def get_special_tokens_mask(self, token_ids_0, token_ids_1=None, already_has_special_tokens=False):
        """1 where a special token is (or will be, once framed), 0 over the sequence tokens."""
        if already_has_special_tokens:
            if token_ids_1 is not None:
                raise ValueError("You should not supply a second sequence if the provided sequence of ids is "
                                 "already formatted with special tokens for the model.")
            special = set(self.all_special_ids)
            return [1 if index in special else 0 for index in token_ids_0]
        first = [1] + [0] * len(token_ids_0) + [1]
        return first if token_ids_1 is None else first + [0] * len(token_ids_1) + [1]

    # ---------------------------------------------------------------------------------------------- calling

    def _ids_of(self, text, is_split_into_words):
        if is_split_into_words:
            return self.convert_tokens_to_ids([token for word in text for token in self.tokenize(word)])
        if not isinstance(text, str):
            raise TypeError(f"TextInputSequence must be str, got {type(text).__name__}")
        return self.convert_tokens_to_ids(self.tokenize(text))

    def _split_input(self, text, text_pair, is_split_into_words):
        """(batched, list of (text, pair or None)) for the accepted input forms, as Hugging Face reads them."""
        if text is None:
            raise ValueError("You need to specify either `text` or `text_target`.")
        single = _is_word_list if is_split_into_words else _is_text
        if single(text):
            if text_pair is not None and not single(text_pair):
                raise ValueError("text_pair must be of the same kind as text: one sequence for one text")
            return False, [(text, text_pair)]
        if not isinstance(text, (list, tuple)) or not all(single(item) or self._is_pair(item, single)
                                                          for item in text):
            raise ValueError("text input must be of type `str` (single example), `list[str]` (batch or single "
                             "pretokenized example) or `list[list[str]]` (batch of pretokenized examples) or "
                             "`list[tuple[list[str], list[str]]]` (batch of pretokenized sequence pairs).")
        if text_pair is not None:
            if not isinstance(text_pair, (list, tuple)) or len(text_pair) != len(text):
                raise ValueError(f"text_pair must be a list as long as text ({len(text)} items) for a batch")
            return True, list(zip(text, text_pair))
        return True, [tuple(item) if self._is_pair(item, single) and not single(item) else (item, None)
                      for item in text]

    @staticmethod
    def _is_pair(item, single):
        return isinstance(item, (list, tuple)) and len(item) == 2 and all(single(part) for part in item)

    def _encode_one(self, ids, pair_ids, add_special_tokens, truncation, max_length, extras):
        num_special = self.num_special_tokens_to_add(pair_ids is not None) if add_special_tokens else 0
        ids, pair_ids = truncate_pair(ids, pair_ids, max_length, truncation, num_special, self.truncation_side)
        if add_special_tokens:
            input_ids = self.build_inputs_with_special_tokens(ids, pair_ids)
            token_types = self.create_token_type_ids_from_sequences(ids, pair_ids)
            special_mask = self.get_special_tokens_mask(ids, pair_ids)
        else:
            input_ids = list(ids) + list(pair_ids or [])
            token_types = [0] * len(ids) + [1] * len(pair_ids or [])
            special_mask = [0] * len(input_ids)
        features = {"input_ids": input_ids}
        if extras["token_type_ids"]:
            features["token_type_ids"] = token_types
        if extras["attention_mask"]:
            features["attention_mask"] = [1] * len(input_ids)
        if extras["special_tokens_mask"]:
            features["special_tokens_mask"] = special_mask
        return features

    def _strategies(self, padding, truncation, max_length, pad_to_multiple_of):
        padding_strategy = resolve_padding(padding)
        truncation_strategy = resolve_truncation(truncation, max_length, padding)
        if max_length is None and (padding_strategy == "max_length" or truncation_strategy != "do_not_truncate"):
            if self.model_max_length < VERY_LARGE_INTEGER:
                max_length = self.model_max_length
            elif padding_strategy == "max_length":
                padding_strategy = "do_not_pad"
        if padding_strategy != "do_not_pad" and self.pad_token_id is None:
            raise ValueError("Asking to pad but the tokenizer does not have a padding token in its vocabulary.")
        if (truncation_strategy != "do_not_truncate" and padding_strategy != "do_not_pad" and max_length is not None
                and pad_to_multiple_of is not None and max_length % pad_to_multiple_of != 0):
            raise ValueError(f"Truncation and padding are both activated but truncation length ({max_length}) is not "
                             f"a multiple of pad_to_multiple_of ({pad_to_multiple_of}).")
        return padding_strategy, truncation_strategy, max_length

    def _check_call_options(self, unsupported, return_tensors, padding_side):
        """Refuse the options ember does not implement and bad tensor types; return the padding side."""
        for name, value in unsupported.items():
            if value != _CALL_ONLY_DEFAULTS[name]:
                raise NotImplementedError(f"BertTokenizer: {name}={value!r} is not supported by ember's tokenizer")
        if return_tensors is not None:
            check_tensor_type(return_tensors)
        side = padding_side or self.padding_side
        if side not in ("right", "left"):
            raise ValueError(f"padding_side should be either 'right' or 'left', got {side!r}")
        return side

    def __call__(self, text=None, text_pair=None, add_special_tokens=True, padding=False, truncation=None,
                 max_length=None, stride=0, is_split_into_words=False, pad_to_multiple_of=None, padding_side=None,
                 return_tensors=None, return_token_type_ids=None, return_attention_mask=None,
                 return_overflowing_tokens=False, return_special_tokens_mask=False, return_offsets_mapping=False,
                 return_length=False, verbose=True):
        """Tokenize one text, a pair (``text``, ``text_pair``), or a batch (a list of texts or of pairs) into a
        BatchEncoding of ``input_ids``, ``token_type_ids`` and ``attention_mask``.

        ``padding``: False, True/'longest' or 'max_length'; ``truncation``: True/'longest_first', 'only_first',
        'only_second' or False (with ``max_length``, default ``model_max_length``); ``return_tensors``: None
        (lists), 'pt' (int64 ember tensors, a batch dimension added to a single text) or 'np'.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\na\\nb")
        >>> tok = BertTokenizer.from_pretrained(folder)
        >>> tok("a b", "a", return_tensors="pt")["token_type_ids"]
        tensor([[0, 0, 0, 0, 1, 1]])
        """
        side = self._check_call_options({"stride": stride, "return_overflowing_tokens": return_overflowing_tokens,
                                         "return_offsets_mapping": return_offsets_mapping}, return_tensors,
                                        padding_side)
        padding_strategy, truncation_strategy, max_length = self._strategies(padding, truncation, max_length,
                                                                             pad_to_multiple_of)
        batched, examples = self._split_input(text, text_pair, is_split_into_words)
        extras = {"token_type_ids": return_token_type_ids is not False,
                  "attention_mask": return_attention_mask is not False,
                  "special_tokens_mask": bool(return_special_tokens_mask)}
        encoded = [self._encode_one(self._ids_of(first, is_split_into_words),
                                    None if second is None else self._ids_of(second, is_split_into_words),
                                    add_special_tokens, truncation_strategy, max_length, extras)
                   for first, second in examples]
        target = padded_length([len(features["input_ids"]) for features in encoded], padding_strategy, max_length,
                               pad_to_multiple_of)
        if target is not None:
            encoded = [pad_features(features, target, self.pad_token_id, side) for features in encoded]
        if return_length:
            for features in encoded:
                features["length"] = len(features["input_ids"])
        return self._collect(encoded, batched, return_tensors)

    def _collect(self, encoded, batched, return_tensors):
        """One BatchEncoding from the examples' feature dicts: lists per key, tensors when asked."""
        keys = list(encoded[0]) if encoded else ["input_ids", "token_type_ids", "attention_mask"]
        if batched:
            data = {key: [features[key] for features in encoded] for key in keys}
        else:
            data = {key: encoded[0][key] for key in keys}
            if return_tensors is not None:
                data = {key: [value] for key, value in data.items()}
        return BatchEncoding({key: as_tensor(value, return_tensors, key) for key, value in data.items()})

    def encode(self, text, text_pair=None, add_special_tokens=True, padding=False, truncation=None, max_length=None,
               stride=0, padding_side=None, return_tensors=None):
        """The ``input_ids`` of one text (or pair): a list of ids, or a (1, n) tensor with ``return_tensors``.

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\na")
        >>> BertTokenizer.from_pretrained(folder).encode("a a")
        [2, 5, 5, 3]
        """
        return self(text, text_pair, add_special_tokens=add_special_tokens, padding=padding, truncation=truncation,
                    max_length=max_length, stride=stride, padding_side=padding_side,
                    return_tensors=return_tensors)["input_ids"]

    def encode_plus(self, text, text_pair=None, **kwargs):
        """One text (or pair) encoded as by ``__call__`` (kept for code written against older versions)."""
        return self(text, text_pair, **kwargs)

    def batch_encode_plus(self, batch_text_or_text_pairs, **kwargs):
        """A list of texts or pairs encoded as by ``__call__`` (kept for code written against older versions)."""
        return self(list(batch_text_or_text_pairs), **kwargs)

    # ------------------------------------------------------------------------------------------------ padding

    def pad(self, encoded_inputs, padding=True, max_length=None, pad_to_multiple_of=None, padding_side=None,
            return_attention_mask=None, return_tensors=None, verbose=True):
        """Pad already-encoded examples (a list of dicts, or a dict of lists) to a common length, adding the
        ``attention_mask``; fields other than the token-level ones pass through (e.g. ``labels``).

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]")
        >>> BertTokenizer.from_pretrained(folder).pad([{"input_ids": [2, 3, 3]}, {"input_ids": [2, 3]}])
        {'input_ids': [[2, 3, 3], [2, 3, 0]], 'attention_mask': [[1, 1, 1], [1, 1, 0]]}
        """
        if return_tensors is not None:
            check_tensor_type(return_tensors)
        examples, batched = self._examples_to_pad(encoded_inputs)
        padding_strategy, _, max_length = self._strategies(padding, False, max_length, pad_to_multiple_of)
        side = padding_side or self.padding_side
        if return_attention_mask is not False:
            examples = [{**features, "attention_mask": features.get("attention_mask",
                                                                    [1] * len(features["input_ids"]))}
                        for features in examples]
        target = padded_length([len(features["input_ids"]) for features in examples], padding_strategy, max_length,
                               pad_to_multiple_of)
        if target is not None:
            examples = [pad_features(features, target, self.pad_token_id, side) for features in examples]
        return self._collect(examples, batched, return_tensors)

    def _examples_to_pad(self, encoded_inputs):
        """(list of per-example dicts of lists, batched?) from the forms ``pad`` accepts."""
        if isinstance(encoded_inputs, (list, tuple)) and encoded_inputs and isinstance(encoded_inputs[0], dict):
            examples = [{key: self._id_list(value) if key in ("input_ids", "token_type_ids", "attention_mask",
                                                              "special_tokens_mask") else value
                         for key, value in features.items()} for features in encoded_inputs]
            return examples, True
        if not isinstance(encoded_inputs, dict) or "input_ids" not in encoded_inputs:
            raise ValueError("You should supply an encoding or a list of encodings to this method that includes "
                             f"input_ids, but you provided {type(encoded_inputs).__name__}")
        ids = encoded_inputs["input_ids"]
        nested = len(ids) > 0 and not isinstance(self._id_list(ids)[0], int)
        if not nested:
            return [{key: self._id_list(value) for key, value in encoded_inputs.items()}], False
        count = len(ids)
        return [{key: self._id_list(value[index]) for key, value in encoded_inputs.items()}
                for index in range(count)], True

    @staticmethod
    def _id_list(ids):
        """A list of Python ints (or of lists) from a list, a NumPy array or an ember tensor."""
        if hasattr(ids, "tolist"):
            return ids.tolist()
        return list(ids)

    # ----------------------------------------------------------------------------------------------- decoding

    def decode(self, token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=None):
        """Text back from ids: WordPiece pieces joined, special tokens optionally skipped;
        ``clean_up_tokenization_spaces`` also removes the spaces before ``'s``, ``n't``, ... .

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi\\n!")
        >>> BertTokenizer.from_pretrained(folder).decode([2, 5, 6, 3], skip_special_tokens=True)
        'hi!'
        """
        if isinstance(token_ids, int) or (hasattr(token_ids, "ndim") and token_ids.ndim == 0):
            token_ids = [int(token_ids)]
        text = self.convert_tokens_to_string(self.convert_ids_to_tokens(token_ids, skip_special_tokens))
        clean = self.clean_up_tokenization_spaces if clean_up_tokenization_spaces is None \
            else clean_up_tokenization_spaces
        return _replace_all(text, _SPACES_CLEANUP) if clean else text

    def batch_decode(self, sequences, skip_special_tokens=False, clean_up_tokenization_spaces=None):
        """``decode`` of every sequence of a batch (a list of id lists, a 2-D array or tensor).

        >>> import os, tempfile; folder = tempfile.mkdtemp()
        >>> _ = open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi")
        >>> BertTokenizer.from_pretrained(folder).batch_decode([[2, 5, 3], [2, 5, 5, 3]], skip_special_tokens=True)
        ['hi', 'hi hi']
        """
        return [self.decode(sequence, skip_special_tokens, clean_up_tokenization_spaces)
                for sequence in self._id_list(sequences)]
