"""Hugging Face model directories: reading ``config.json`` and the weights, writing them back atomically.

A directory saved by ``transformers``' ``save_pretrained`` holds ``config.json`` and the weights as
``model.safetensors`` (or ``model.safetensors.index.json`` naming shards, or, from older versions,
``pytorch_model.bin``, a ``torch.save`` checkpoint). The weights are read into ember tensors with their
checkpoint names; mapping those names onto a model's parameters is the model's business.
"""

import json
import os

CONFIG_NAME = "config.json"
SAFETENSORS_NAME = "model.safetensors"
SAFETENSORS_INDEX_NAME = "model.safetensors.index.json"
PYTORCH_NAME = "pytorch_model.bin"
WEIGHTS_NAMES = (SAFETENSORS_NAME, SAFETENSORS_INDEX_NAME, PYTORCH_NAME)     # in order of preference


def check_directory(directory):
    """``directory`` as a path string, or FileNotFoundError/NotADirectoryError saying what a model directory is.

    >>> check_directory(".")
    '.'
    """
    try:
        path = os.fspath(directory)
    except TypeError:
        raise TypeError(f"from_pretrained: expected a directory path (str or os.PathLike), got "
                        f"{type(directory).__name__}") from None
    if not os.path.exists(path):
        raise FileNotFoundError(f"from_pretrained: no directory {path!r}; pass a local directory holding "
                                f"{CONFIG_NAME} and {SAFETENSORS_NAME} (or {PYTORCH_NAME}), as Hugging Face's "
                                "save_pretrained writes it")
    if not os.path.isdir(path):
        raise NotADirectoryError(f"from_pretrained: {path!r} is a file; pass the directory holding {CONFIG_NAME} "
                                 "and the weights")
    return path


def read_json(path, what):
    """The JSON object in ``path``: FileNotFoundError when it is missing, ValueError when it is not a JSON object.

    ``what`` names the file in messages.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no {what} at {path!r}")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} {path!r} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} {path!r} must hold a JSON object, got {type(value).__name__}")
    return value


def weights_file(directory):
    """The weights file of a model directory (safetensors preferred), or FileNotFoundError naming what was sought."""
    for name in WEIGHTS_NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"no weights in {directory!r}: expected one of {', '.join(WEIGHTS_NAMES)}")


def _load_sharded_safetensors(index_path):
    from ember import safetensors

    index = read_json(index_path, "safetensors index")
    weight_map = index.get("weight_map")
    if not isinstance(weight_map, dict):
        raise ValueError(f"safetensors index {index_path!r} has no 'weight_map' object")
    directory = os.path.dirname(index_path)
    state = {}
    for shard in sorted(set(weight_map.values())):
        state.update(safetensors.load_file(os.path.join(directory, shard)))
    missing = sorted(set(weight_map) - set(state))
    if missing:
        raise ValueError(f"safetensors index {index_path!r} names tensors its shards lack: {missing[:5]}")
    return state


def load_weights(directory):
    """Every tensor in a model directory's weights file, by checkpoint name (plain ember tensors on the CPU).

    >>> import tempfile; d = tempfile.mkdtemp()
    >>> ember.safetensors.save_file({"w": ember.ones(2)}, os.path.join(d, SAFETENSORS_NAME))
    >>> load_weights(d)
    {'w': tensor([1., 1.])}
    """
    import ember
    from ember import safetensors

    path = weights_file(directory)
    name = os.path.basename(path)
    if name == SAFETENSORS_NAME:
        return safetensors.load_file(path)
    if name == SAFETENSORS_INDEX_NAME:
        return _load_sharded_safetensors(path)
    state = ember.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise ValueError(f"{path!r} holds a {type(state).__name__}, expected a state_dict (a dict of tensors)")
    return dict(state)


def save_directory(directory, config_dict, state_dict):
    """Write ``config.json`` and ``model.safetensors`` into ``directory`` (made if needed), each atomically.

    >>> import tempfile; d = tempfile.mkdtemp()
    >>> save_directory(d, {"model_type": "bert"}, {"w": ember.ones(2)})
    >>> sorted(os.listdir(d))
    ['config.json', 'model.safetensors']
    """
    from ember import safetensors
    from ember._files import atomic_write

    directory = os.fspath(directory)
    if os.path.isfile(directory):
        raise NotADirectoryError(f"save_pretrained: {directory!r} is a file, expected a directory")
    os.makedirs(directory, exist_ok=True)
    text = json.dumps(config_dict, indent=2, sort_keys=True) + "\n"
    atomic_write(os.path.join(directory, CONFIG_NAME), lambda stream: stream.write(text), text=True)
    tensors = {name: tensor.contiguous() for name, tensor in state_dict.items()}
    safetensors.save_file(tensors, os.path.join(directory, SAFETENSORS_NAME), metadata={"format": "pt"})
