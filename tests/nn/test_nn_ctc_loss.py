"""F.ctc_loss, nn.CTCLoss and torch.ctc_loss against PyTorch: losses, gradients, layouts and errors."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = requires_torch

TOLERANCES = {np.float32: {"rtol": 1e-4, "atol": 1e-4}, np.float64: {"rtol": 1e-7, "atol": 1e-9}}


def log_softmax(x, axis=-1):
    """NumPy log-softmax: the log-probabilities CTC expects."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def concatenated(padded, target_lengths):
    """The padded targets ``(N, S)`` as one 1-D concatenation of each row's first ``target_lengths[n]``."""
    pieces = [row[:length] for row, length in zip(padded, target_lengths)]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)


@st.composite
def ctc_cases(draw):
    """A batch with short and empty targets, repeated labels, and inputs sometimes too short to align."""
    time = draw(st.integers(1, 8))
    batch = draw(st.integers(1, 3))
    classes = draw(st.integers(1, 5))
    blank = draw(st.integers(0, classes - 1))
    labels = [c for c in range(classes) if c != blank] or [blank]
    target_lengths = draw(st.lists(st.integers(0, 4), min_size=batch, max_size=batch))
    input_lengths = draw(st.lists(st.integers(0, time), min_size=batch, max_size=batch))
    width = max(target_lengths) + draw(st.integers(0, 2))
    rows = [draw(st.lists(st.sampled_from(labels), min_size=width, max_size=width)) for _ in range(batch)]
    seed = draw(st.integers(0, 2**16))
    logits = np.random.default_rng(seed).standard_normal((time, batch, classes))
    return {"log_probs": log_softmax(logits), "targets": np.array(rows, dtype=np.int64).reshape(batch, width),
            "input_lengths": input_lengths, "target_lengths": target_lengths, "blank": blank}


def _lengths(m, case, as_tensors):
    if as_tensors:
        return m.tensor(case["input_lengths"]), m.tensor(case["target_lengths"])
    return tuple(case["input_lengths"]), list(case["target_lengths"])


# ----------------------------------------------------------------------------- property-based parity

@settings(max_examples=25, deadline=None)
@given(case=ctc_cases(), reduction=st.sampled_from(["none", "mean", "sum"]), zero_infinity=st.booleans(),
       layout=st.sampled_from(["padded", "concatenated"]), dtype=st.sampled_from([np.float32, np.float64]),
       as_tensors=st.booleans())
def test_ctc_loss_matches_torch(case, reduction, zero_infinity, layout, dtype, as_tensors):
    targets = case["targets"] if layout == "padded" else concatenated(case["targets"], case["target_lengths"])

    def fn(m, log_probs, targets):
        input_lengths, target_lengths = _lengths(m, case, as_tensors)
        return m.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=case["blank"],
                                        reduction=reduction, zero_infinity=zero_infinity)

    parity(fn, case["log_probs"].astype(dtype), targets, **TOLERANCES[dtype])


@settings(max_examples=25, deadline=None)
@given(case=ctc_cases(), reduction=st.sampled_from(["none", "mean", "sum"]), zero_infinity=st.booleans())
def test_unbatched_input_matches_torch(case, reduction, zero_infinity):
    length = case["target_lengths"][0]
    targets = case["targets"][0, :length]

    def fn(m, log_probs, targets):
        return m.nn.functional.ctc_loss(log_probs, targets, m.tensor(case["input_lengths"][0]), m.tensor(length),
                                        blank=case["blank"], reduction=reduction, zero_infinity=zero_infinity)

    parity(fn, case["log_probs"][:, 0], targets)


@settings(max_examples=25, deadline=None)
@given(case=ctc_cases())
def test_gradient_of_logits_matches_finite_differences(case):
    """Through log_softmax, PyTorch's CTC gradient is the true derivative with respect to the logits."""
    lengths = [max(length, 2 * case["target_lengths"][n] + 1) for n, length in enumerate(case["input_lengths"])]
    time = max(lengths)
    logits = randn(time, len(lengths), case["log_probs"].shape[2])

    def fn(logits):
        log_probs = ember.nn.functional.log_softmax(logits, 2)
        return ember.nn.functional.ctc_loss(log_probs, ember.tensor(case["targets"]), ember.tensor(lengths),
                                            ember.tensor(case["target_lengths"]), blank=case["blank"], reduction="sum")

    check_grad(fn, logits, second_order=False)


# ----------------------------------------------------------------------------- particular cases

def test_repeated_labels_need_a_blank_between_them():
    log_probs = log_softmax(randn(3, 2, 3))
    targets = np.array([[1, 1], [1, 2]])
    loss = parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([2, 2]), m.tensor([2, 2]),
                                                            reduction="none"), log_probs, targets)
    assert np.isinf(loss[0].item()) and np.isfinite(loss[1].item())
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([3, 3]), m.tensor([2, 2]), reduction="none"),
           log_probs, targets)


def test_inputs_too_short_give_infinite_losses_and_nan_gradients():
    log_probs = log_softmax(randn(4, 2, 4))
    targets = np.array([[1, 2, 3], [1, 1, 0]])
    loss = parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([2, 4]), m.tensor([3, 2]),
                                                            reduction="none"), log_probs, targets)
    assert np.isinf(loss[0].item())
    lp = ember.tensor(log_probs, requires_grad=True)
    ember.nn.functional.ctc_loss(lp, ember.tensor(targets), ember.tensor([2, 4]), ember.tensor([3, 2]),
                                 reduction="sum").backward()
    assert np.isnan(lp.grad[:2, 0].numpy()).all() and not lp.grad[2:, 0].numpy().any()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_zero_infinity_zeroes_infinite_losses_and_their_gradients(reduction):
    log_probs = log_softmax(randn(4, 3, 4))
    targets = np.array([[1, 2, 3], [1, 1, 0], [2, 0, 0]])

    def fn(m, lp, t):
        return m.nn.functional.ctc_loss(lp, t, m.tensor([2, 4, 0]), m.tensor([3, 2, 1]), reduction=reduction,
                                        zero_infinity=True)

    parity(fn, log_probs, targets)
    lp = ember.tensor(log_probs, requires_grad=True)
    loss = fn(ember, lp, ember.tensor(targets))
    loss.sum().backward()
    assert np.isfinite(loss.detach().numpy()).all()
    assert not lp.grad[:, 0].numpy().any() and lp.grad[:, 1].numpy().any()


def test_empty_targets_and_empty_inputs():
    log_probs = log_softmax(randn(5, 4, 3))
    targets = np.array([[1, 2], [0, 0], [2, 2], [0, 0]])
    loss = parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([5, 3, 0, 0]), m.tensor([2, 0, 2, 0]),
                                                            reduction="none"), log_probs, targets)
    assert loss[3].item() == 0.0 and np.isinf(loss[2].item())
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([5, 3, 0, 0]), m.tensor([2, 0, 2, 0])),
           log_probs, targets)


@pytest.mark.parametrize("targets", [[[1, 0, 2]], [[1, 2, 0]], [[0, 0, 0]], [[2, 0, 0]]])
def test_targets_containing_the_blank(targets):
    """PyTorch computes these (the last frame's blank gradient is the last label's when the target ends in blank)."""
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6]), m.tensor([3]), reduction="none"),
           log_softmax(randn(6, 1, 3)), np.array(targets))


def test_log_probs_not_normalised_get_torchs_gradient():
    """The gradient is PyTorch's ``exp(log_probs) - occupancy``, not the plain derivative of arbitrary inputs."""
    parity(lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([5, 4]), m.tensor([2, 1]), reduction="sum"),
           randn(5, 2, 4), np.array([[1, 3], [2, 0]]))


def test_minus_infinity_log_probs_give_nan_gradients_as_in_torch():
    log_probs = log_softmax(randn(5, 2, 4))
    log_probs[0, 0, 0] = -np.inf
    log_probs[2, 1, 3] = -np.inf
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([5, 4]), m.tensor([2, 1]), reduction="none"),
           log_probs, np.array([[1, 3], [2, 0]]))


def test_noncontiguous_log_probs():
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([5, 5, 3]), m.tensor([2, 1, 2])),
           noncontiguous(log_softmax(randn(5, 3, 3))), np.array([[1, 2], [2, 0], [1, 1]]))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int16, np.float64, np.bool_])
def test_targets_of_any_dtype_are_read_as_class_indices(dtype):
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([4, 4]), m.tensor([2, 1]), reduction="none"),
           log_softmax(randn(4, 2, 3)), np.array([[1, 2], [1, 0]]).astype(dtype))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int16])
def test_lengths_of_other_integer_dtypes(dtype):
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor(np.array([[4, 3]], dtype=dtype)),
                                                     m.tensor(np.array([2, 1], dtype=dtype)), reduction="sum"),
           log_softmax(randn(4, 2, 3)), np.array([[1, 2], [1, 0]]))


def test_lengths_as_sequences_of_ints_and_tensors():
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [m.tensor(4), np.int64(3)], (2, m.tensor([1])),
                                                     reduction="none"),
           log_softmax(randn(4, 2, 3)), np.array([[1, 2], [1, 0]]))


def test_batch_of_one_with_zero_dim_lengths():
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor(4), m.tensor(2), reduction="none"),
           log_softmax(randn(4, 1, 3)), np.array([[1, 2]]))


def test_unbatched_input_with_padded_targets_and_sequence_lengths():
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [6], [2], reduction="none"),
           log_softmax(randn(6, 4)), np.array([[3, 1, 2]]))


def test_blank_as_a_zero_dim_tensor():
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([4]), m.tensor([2]), blank=m.tensor(2)),
           log_softmax(randn(4, 1, 3)), np.array([[1, 0]]))


def test_mean_divides_by_target_lengths_clamped_to_one():
    log_probs = ember.tensor(log_softmax(randn(5, 3, 3)))
    targets, input_lengths, target_lengths = ember.tensor([[1, 2], [2, 0], [0, 0]]), [5, 5, 5], [2, 1, 0]
    each = ember.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="none")
    mean = ember.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths)
    np.testing.assert_allclose(mean.item(), (each.numpy() / np.array([2, 1, 1])).mean(), rtol=1e-6)


def test_float32_result_and_grad_fn():
    lp = ember.tensor(log_softmax(randn(4, 2, 3)).astype(np.float32), requires_grad=True)
    loss = ember.nn.functional.ctc_loss(lp, ember.tensor([[1, 2], [1, 0]]), [4, 4], [2, 1], reduction="none")
    assert loss.dtype is ember.float32 and loss.grad_fn.name() == "CtcLossBackward0"
    reference = torch.nn.functional.ctc_loss(torch.tensor(lp.detach().numpy()), torch.tensor([[1, 2], [1, 0]]),
                                             [4, 4], [2, 1], reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), reference.numpy(), rtol=1e-5)


def test_targets_are_not_differentiated():
    lp = ember.tensor(log_softmax(randn(4, 1, 3)), requires_grad=True)
    targets = ember.tensor([[1.0, 2.0]], requires_grad=True)
    loss = ember.nn.functional.ctc_loss(lp, targets, [4], [2])
    lp_grad, targets_grad = ember.autograd.grad(loss, (lp, targets), allow_unused=True)
    assert lp_grad is not None and targets_grad is None


def test_double_backward_raises_like_torch():
    log_probs, targets = log_softmax(randn(4, 2, 3)), np.array([[1, 2], [1, 0]])
    errors = []
    for m in (torch, ember):
        lp = m.tensor(log_probs, requires_grad=True)
        loss = m.nn.functional.ctc_loss(lp, m.tensor(targets), m.tensor([4, 4]), m.tensor([2, 1]))
        (grad,) = m.autograd.grad(loss, lp, create_graph=True)
        assert grad.requires_grad
        with pytest.raises(RuntimeError) as info:
            m.autograd.grad(grad.sum(), lp)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_large_batch_matches_torch():
    time, batch, classes, width = 40, 6, 8, 12
    target_lengths, input_lengths = randint(0, width + 1, batch), randint(25, time + 1, batch)
    parity(lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor(input_lengths),
                                                     m.tensor(target_lengths)),
           log_softmax(randn(time, batch, classes)), randint(1, classes, batch, width))


# ----------------------------------------------------------------------------- torch.ctc_loss and nn.CTCLoss

@pytest.mark.parametrize("reduction", [None, 0, 1, 2, -1, 5])
def test_torch_level_ctc_loss_takes_the_reduction_enum(reduction):
    args = () if reduction is None else (0, reduction)
    parity(lambda m, lp, t: m.ctc_loss(lp, t, m.tensor([4, 3]), m.tensor([2, 1]), *args),
           log_softmax(randn(4, 2, 3)), np.array([[1, 2], [1, 0]]))


def test_torch_level_ctc_loss_keywords_and_sequences():
    parity(lambda m, lp, t: m.ctc_loss(log_probs=lp, targets=t, input_lengths=[4, 3], target_lengths=[2, 1],
                                       blank=0, reduction=2, zero_infinity=True),
           log_softmax(randn(4, 2, 3)), np.array([[1, 2], [1, 0]]))


@pytest.mark.parametrize("options", [{}, {"reduction": "sum"}, {"reduction": "none", "zero_infinity": True},
                                     {"blank": 2}])
def test_ctc_loss_module(options):
    parity(lambda m, lp, t: m.nn.CTCLoss(**options)(lp, t, m.tensor([5, 2]), m.tensor([2, 2])),
           log_softmax(randn(5, 2, 4)), np.array([[1, 3], [3, 1]]))
    layer, reference = ember.nn.CTCLoss(**options), torch.nn.CTCLoss(**options)
    for name in ("blank", "reduction", "zero_infinity"):
        assert getattr(layer, name) == getattr(reference, name)
    assert repr(layer) == repr(reference) and dict(layer.state_dict()) == {}


def test_module_with_a_bad_reduction_raises_when_called():
    same_error(lambda m, lp: m.nn.CTCLoss(reduction="foo")(lp, m.tensor([[1]]), [2], [1]),
               log_softmax(randn(2, 1, 3)), match="not a valid value for reduction")


def test_elementwise_mean_warns_and_means():
    log_probs = ember.tensor(log_softmax(randn(4, 1, 3)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = ember.nn.functional.ctc_loss(log_probs, ember.tensor([[1]]), [4], [1], reduction="elementwise_mean")
    assert any("elementwise_mean" in str(w.message) for w in caught)
    assert loss.item() == ember.nn.functional.ctc_loss(log_probs, ember.tensor([[1]]), [4], [1]).item()


# ----------------------------------------------------------------------------- errors

LP = log_softmax(np.random.default_rng(7).standard_normal((6, 2, 4)))
TG = np.array([[1, 2, 2], [3, 0, 0]])
BAD_CALLS = {
    "blank too large": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]), blank=4),
    "blank negative": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]), blank=-1),
    "blank float": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]), blank=0.0),
    "blank bool": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]), blank=True),
    "input length too long": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([7, 4]), m.tensor([3, 1])),
    "input length negative": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([-1, 4]), m.tensor([3, 1])),
    "target length negative": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([-1, 1])),
    "target length past padding": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]),
                                                                            m.tensor([4, 1])),
    "input lengths size": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4, 3]), m.tensor([3, 1])),
    "target lengths size": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3])),
    "float input lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6.0, 4.0]), m.tensor([3, 1])),
    "bool input lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([True, True]), m.tensor([3, 1])),
    "float target lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3.0, 1.0])),
    "float list lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [6.0, 4.0], [3, 1]),
    "bool list lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [True, 4], [3, 1]),
    "int lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, 6, [3, 1]),
    "mixed lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [6, 4], m.tensor([3, 1])),
    "numpy lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, np.array([6, 4]), [3, 1]),
    "float tensor in list": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [m.tensor(6.0), 4], [3, 1]),
    "3-d targets": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t[None], m.tensor([6, 4]), m.tensor([3, 1])),
    "0-d targets": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t[0, 0], m.tensor([6, 4]), m.tensor([3, 1])),
    "too few target rows": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t[:1], m.tensor([6, 4]), m.tensor([3, 1])),
    "concatenation too long": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t.reshape(-1), m.tensor([6, 4]),
                                                                        m.tensor([3, 1])),
    "4-d log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp[None], t, m.tensor([6, 4]), m.tensor([3, 1])),
    "1-d log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp[:, 0, 0], t, m.tensor([6, 4]), m.tensor([3, 1])),
    "0-d log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp[0, 0, 0], t, m.tensor([6, 4]), m.tensor([3, 1])),
    "empty log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp[:, :0], t[:0], m.tensor([], dtype=m.int64),
                                                                 m.tensor([], dtype=m.int64)),
    "no classes": lambda m, lp, t: m.nn.functional.ctc_loss(lp[:, :, :0], t, m.tensor([6, 4]), m.tensor([3, 1])),
    "half log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp.half(), t, m.tensor([6, 4]), m.tensor([3, 1])),
    "bfloat16 log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp.bfloat16(), t, m.tensor([6, 4]),
                                                                    m.tensor([3, 1])),
    "integer log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp.long(), t, m.tensor([6, 4]), m.tensor([3, 1])),
    "list log_probs": lambda m, lp, t: m.nn.functional.ctc_loss(lp.tolist(), t, m.tensor([6, 4]), m.tensor([3, 1])),
    "list targets": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t.tolist(), m.tensor([6, 4]), m.tensor([3, 1])),
    "bad reduction": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]),
                                                               reduction="foo"),
    "zero_infinity not bool": lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]),
                                                                        zero_infinity=1),
    "string reduction at torch level": lambda m, lp, t: m.ctc_loss(lp, t, m.tensor([6, 4]), m.tensor([3, 1]), 0,
                                                                   "mean"),
    "unbatched with two lengths": lambda m, lp, t: m.nn.functional.ctc_loss(lp[:, 0], t[0], m.tensor([6, 6]),
                                                                            m.tensor(3)),
    "unbatched targets too long": lambda m, lp, t: m.nn.functional.ctc_loss(lp[:, 0], t.reshape(-1)[:4],
                                                                            m.tensor(6), m.tensor(3)),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_errors_match_torch(name):
    same_error(BAD_CALLS[name], LP, TG)


def test_error_messages_name_the_argument():
    lp, targets = ember.tensor(LP), ember.tensor(TG)
    cases = {"blank must be in label range": {"blank": 4},
             "input_lengths to have value at most 6": {"input_lengths": ember.tensor([7, 4])},
             "input_lengths must be integral": {"input_lengths": ember.tensor([6.0, 4.0])},
             "target_lengths must be of size batch_size": {"target_lengths": ember.tensor([3])},
             "size at least 4 at dimension 1": {"target_lengths": ember.tensor([4, 1])}}
    for message, change in cases.items():
        arguments = {"input_lengths": ember.tensor([6, 4]), "target_lengths": ember.tensor([3, 1]), **change}
        with pytest.raises(RuntimeError, match=message):
            ember.nn.functional.ctc_loss(lp, targets, **arguments)
    with pytest.raises(NotImplementedError, match="'Half'"):
        ember.nn.functional.ctc_loss(lp.half(), targets, [6, 4], [3, 1])


@pytest.mark.parametrize("label", [4, -1])
def test_labels_outside_the_classes_are_refused(label):
    """PyTorch's CPU kernel reads past the class axis here (no error, a meaningless loss); ember refuses."""
    targets = ember.tensor([[1, label, 2], [3, label, label]])
    with pytest.raises(RuntimeError, match="class indices"):
        ember.nn.functional.ctc_loss(ember.tensor(LP), targets, [6, 4], [3, 1])
    padding_only = ember.nn.functional.ctc_loss(ember.tensor(LP), ember.tensor([[1, 2, 2], [3, label, label]]),
                                                [6, 4], [3, 1], reduction="none")
    assert np.isfinite(padding_only.numpy()).all()
