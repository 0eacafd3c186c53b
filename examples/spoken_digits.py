"""Spoken-digit recognition: a small CNN on log-mel spectrograms, trained on a dataset made by augmenting ten real
recordings.

The data, honestly: Debian's ``asterisk-core-sounds-en-wav`` ships one recording of each digit, "zero" to "nine"
(``/usr/share/asterisk/sounds/en_US_f_Allison/digits/0.wav`` .. ``9.wav``), by one speaker (Allison), 8 kHz mono.
Ten clips are not a dataset, so this program makes one by augmentation, all with ``ember.audio``:

* speed changes (``functional.speed``: band-limited resampling, duration and pitch change together);
* pitch changes at constant duration: a phase-vocoder time stretch (``functional.phase_vocoder``) by the factor,
  then resampling (``functional.speed``) back to the original duration;
* random time shifts: the word (trimmed of silence) is placed at a random offset in a 1-second window;
* volume changes (a random gain in dB, then clipping to [-1, 1], as ``transforms.Vol`` does);
* noise at a random signal-to-noise ratio (``functional.add_noise``): white noise, or real background speech cut
  from the LibriVox utterances of Debian's ``pocketsphinx-testdata`` (16 kHz, resampled to 8 kHz with
  ``functional.resample``);
* SpecAugment (``transforms.FrequencyMasking`` and ``TimeMasking``) on the training batches.

Speeds and pitches are taken from fixed grids of factors (each grid point is computed once per digit); shifts,
gains, noise, SNRs and masks are drawn per example. Features are 40-band log-mel spectrograms
(``transforms.MelSpectrogram`` and ``AmplitudeToDB``, 32 ms windows every 16 ms) standardised per example.

Two test sets, both made with other random seeds than the training set:

* ``validation``: the training ranges of every augmentation, with fresh random draws;
* ``held-out``: speed and pitch factors that lie between and beyond the training grid points (never seen in
  training), SNRs below the training range (0-5 dB against 5-30 dB: harder), and background speech cut from other
  LibriVox recordings than the training noise. Its accuracy and confusion matrix are the figures of merit.

What the accuracy does and does not say: every example, test ones included, is the same ten recordings of one
voice, transformed. It measures robustness to speed, pitch, shift, level and noise changes, not recognition of other
speakers, other recordings or other words; that would need recordings this machine does not have.

    python examples/spoken_digits.py                    # the full run (a few minutes on two cores)
    python examples/spoken_digits.py --quick            # seconds, on a tiny dataset (for CI)

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

import ember
import ember.audio as audio
import ember.audio.functional as AF
import ember.audio.transforms as T
import ember.nn as nn
from ember._files import atomic_write
from ember.utils.progress import ProgressBar

DIGITS_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison/digits"        # Debian asterisk-core-sounds-en-wav
LIBRIVOX_DIR = "/usr/share/pocketsphinx/test/data/librivox"              # Debian pocketsphinx-testdata
SAMPLE_RATE = 8000
CLIP = SAMPLE_RATE                  # every example is a 1-second window
N_FFT, HOP, N_MELS = 256, 128, 40   # 32 ms frames every 16 ms: 40 x 63 log-mel images
PITCH_FFT, PITCH_HOP = 256, 64      # the phase vocoder's STFT

# Augmentation ranges. Speed and pitch factors are grids; the held-out grids sit between and beyond the training
# points. Each factor times 8000 must be a whole number of Hz (functional.speed resamples between such rates).
TRAIN_RANGES = {
    "speeds": (0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15),
    "pitches": (0.89, 0.94, 1.0, 1.06, 1.12),
    "snr_db": (5.0, 30.0),
    "gain_db": (-12.0, 6.0),
    "white_noise_share": 0.3,
    "noise_files": ("sense_and_sensibility_01_austen_64kb-0870.wav", "sense_and_sensibility_01_austen_64kb-0890.wav",
                    "sense_and_sensibility_01_austen_64kb-0920.wav"),
}
HELD_OUT_RANGES = {
    "speeds": (0.825, 0.875, 0.925, 0.975, 1.025, 1.075, 1.125, 1.175),
    "pitches": (0.86, 0.915, 0.97, 1.03, 1.09, 1.15),
    "snr_db": (0.0, 5.0),
    "gain_db": (-12.0, 6.0),
    "white_noise_share": 0.3,
    "noise_files": ("sense_and_sensibility_01_austen_64kb-0880.wav", "sense_and_sensibility_01_austen_64kb-0930.wav"),
}


# ----------------------------------------------------------------------------- the recordings

def load_digits(directory=DIGITS_DIR):
    """The ten recordings 0.wav .. 9.wav as float32 arrays of samples in [-1, 1] (8 kHz mono)."""
    clips = []
    for digit in range(10):
        path = os.path.join(directory, f"{digit}.wav")
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: install Debian's asterisk-core-sounds-en-wav or pass --digits-dir")
        waveform, sample_rate = audio.load(path)
        if sample_rate != SAMPLE_RATE or waveform.shape[0] != 1:
            raise SystemExit(f"{path}: expected 8 kHz mono, got {sample_rate} Hz with {waveform.shape[0]} channels")
        clips.append(waveform.numpy()[0])
    return clips


def load_noise(names, directory=LIBRIVOX_DIR):
    """LibriVox utterances resampled from 16 kHz to 8 kHz, joined into one float32 array of background speech."""
    parts = []
    for name in names:
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: install Debian's pocketsphinx-testdata or pass --noise-dir")
        waveform, sample_rate = audio.load(path)
        parts.append(AF.resample(waveform, sample_rate, SAMPLE_RATE).numpy()[0])
    return np.concatenate(parts)


def trim_silence(signal, threshold=0.02, frame=80, margin=160):
    """``signal`` without its leading and trailing silence: frames of 10 ms whose RMS is below ``threshold`` times
    the loudest frame's, keeping ``margin`` samples of context on each side."""
    count = len(signal) // frame
    rms = np.sqrt((signal[:count * frame].reshape(count, frame) ** 2).mean(axis=1))
    active = np.nonzero(rms > threshold * rms.max())[0]
    start = max(active[0] * frame - margin, 0)
    stop = min((active[-1] + 1) * frame + margin, len(signal))
    return signal[start:stop]


# ----------------------------------------------------------------------------- speed and pitch

def check_factor(factor):
    """Raise unless ``factor * 8000`` is a whole number (functional.speed resamples from int(factor * 8000) Hz)."""
    if int(factor * SAMPLE_RATE) != round(factor * SAMPLE_RATE):
        raise ValueError(f"factor {factor}: factor * {SAMPLE_RATE} must be a whole number of Hz")


def change_speed(waveforms, factor):
    """``waveforms`` (batch, time) played ``factor`` times faster: shorter and higher for factor > 1."""
    if factor == 1.0:
        return waveforms
    check_factor(factor)
    return AF.speed(waveforms, SAMPLE_RATE, factor)[0]


def change_pitch(waveforms, factor):
    """``waveforms`` (batch, time) with every frequency times ``factor`` and the same duration.

    The phase vocoder first stretches the signal to ``factor`` times its duration without changing its pitch;
    playing that ``factor`` times faster (resampling) restores the duration and multiplies the frequencies.
    """
    if factor == 1.0:
        return waveforms
    window = ember.hann_window(PITCH_FFT)
    spec = ember.stft(waveforms, PITCH_FFT, PITCH_HOP, window=window, return_complex=True)
    advance = ember.linspace(0, math.pi * PITCH_HOP, PITCH_FFT // 2 + 1)[..., None]
    stretched = AF.phase_vocoder(spec, 1.0 / factor, advance)
    longer = ember.istft(stretched, PITCH_FFT, PITCH_HOP, window=window,
                         length=int(round(waveforms.shape[-1] * factor)))
    return change_speed(longer, factor)


def speed_pitch_variants(clips, speeds, pitches, stream=None):
    """Every (speed, pitch) version of every clip, trimmed of silence: ``{(digit, speed, pitch): float32 array}``."""
    length = max(len(clip) for clip in clips)
    batch = ember.from_numpy(np.stack([np.pad(clip, (0, length - len(clip))) for clip in clips]))
    variants = {}
    bar = ProgressBar(len(speeds) * len(pitches), "speed and pitch", stream=stream)
    with ember.no_grad():
        for speed in speeds:
            faster = change_speed(batch, speed)
            for pitch in pitches:
                shifted = change_pitch(faster, pitch).numpy()
                for digit in range(len(clips)):
                    variants[digit, speed, pitch] = trim_silence(shifted[digit])
                bar.advance()
    bar.close()
    return variants


# ----------------------------------------------------------------------------- examples

def make_split(variants, noise, ranges, count, seed):
    """``count`` labelled 1-second examples, balanced over the digits: a random speed/pitch variant placed at a
    random offset, a random gain, and white or background-speech noise at a random SNR (clipped to [-1, 1]).

    Returns float32 waveforms (count, 8000), int64 labels and the per-example SNRs.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    clean = np.zeros((count, CLIP), np.float32)
    noises = np.empty((count, CLIP), np.float32)
    white = rng.random(count) < ranges["white_noise_share"]
    for i, digit in enumerate(labels):
        speed = ranges["speeds"][rng.integers(len(ranges["speeds"]))]
        pitch = ranges["pitches"][rng.integers(len(ranges["pitches"]))]
        word = variants[digit, speed, pitch][:CLIP]
        offset = rng.integers(0, CLIP - len(word) + 1)
        clean[i, offset:offset + len(word)] = word
        if white[i]:
            noises[i] = rng.standard_normal(CLIP)
        else:
            start = rng.integers(0, len(noise) - CLIP)
            noises[i] = noise[start:start + CLIP]
    gains = 10.0 ** (rng.uniform(*ranges["gain_db"], count) / 20.0)
    snr = rng.uniform(*ranges["snr_db"], count).astype(np.float32)
    with ember.no_grad():
        louder = ember.from_numpy(clean * gains[:, None].astype(np.float32))
        noisy = AF.add_noise(louder, ember.from_numpy(noises), ember.from_numpy(snr))
        waveforms = ember.clamp(noisy, -1.0, 1.0).numpy()
    return waveforms, labels.astype(np.int64), snr


class LogMel(nn.Module):
    """Waveforms (batch, time) -> standardised 40-band log-mel images (batch, 1, 40, frames)."""

    def __init__(self):
        super().__init__()
        self.mel = T.MelSpectrogram(SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, f_min=20.0,
                                    f_max=SAMPLE_RATE / 2)
        self.to_db = T.AmplitudeToDB(top_db=80.0)

    def forward(self, waveforms):
        images = self.to_db(self.mel(waveforms).unsqueeze(1))       # (batch, 1, mels, frames): one floor each
        mean = images.mean(dim=(1, 2, 3), keepdim=True)
        std = images.std(dim=(1, 2, 3), keepdim=True)
        return (images - mean) / (std + 1e-5)


def features(waveforms, chunk=256):
    """Log-mel images (N, 1, 40, frames) of waveforms (N, 8000), as a float32 NumPy array."""
    extract = LogMel()
    parts = []
    with ember.no_grad():
        for start in range(0, len(waveforms), chunk):
            parts.append(extract(ember.from_numpy(waveforms[start:start + chunk])).numpy())
    return np.concatenate(parts)


# ----------------------------------------------------------------------------- the network

def block(inputs, outputs):
    """3x3 convolution, batch norm, ReLU, 2x2 max pooling."""
    return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs),
                         nn.ReLU(inplace=True), nn.MaxPool2d(2))


def make_model(width=16, frames=63):
    """Three conv blocks (40 x 63 -> 5 x 7), dropout, then a linear classifier over the ten digits."""
    height, length = N_MELS // 8, frames // 8
    return nn.Sequential(block(1, width), block(width, 2 * width), block(2 * width, 4 * width), nn.Flatten(),
                         nn.Dropout(0.3), nn.Linear(4 * width * height * length, 10))


def batches(count, batch_size, rng=None):
    order = rng.permutation(count) if rng is not None else np.arange(count)
    return [order[start:start + batch_size] for start in range(0, count, batch_size)]


def train(model, images, labels, epochs, batch_size, max_lr, seed, stream):
    """Adam with a one-cycle schedule; SpecAugment (one frequency and one time mask per example) on each batch."""
    rng = np.random.default_rng(seed)
    optimizer = ember.optim.Adam(model.parameters(), lr=max_lr, weight_decay=1e-4)
    steps_per_epoch = -(-len(images) // batch_size)
    schedule = ember.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, epochs=epochs,
                                                   steps_per_epoch=steps_per_epoch)
    freq_mask = T.FrequencyMasking(freq_mask_param=8, iid_masks=True)
    time_mask = T.TimeMasking(time_mask_param=10, iid_masks=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        bar = ProgressBar(steps_per_epoch, f"epoch {epoch}/{epochs}", stream=stream)
        total, seen, started = 0.0, 0, time.perf_counter()
        for index in batches(len(images), batch_size, rng):
            x = time_mask(freq_mask(ember.from_numpy(images[index])))
            y = ember.from_numpy(labels[index])
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
            seen += len(index)
            bar.advance(loss=total / seen)
        bar.close()
        losses.append(total / seen)
        print(f"epoch {epoch}: training loss {total / seen:.4f} ({time.perf_counter() - started:.0f} s)", flush=True)
    return losses


def predict(model, images, batch_size=500):
    model.eval()
    predictions = []
    with ember.no_grad():
        for index in batches(len(images), batch_size):
            predictions.append(model(ember.from_numpy(images[index])).argmax(1).numpy())
    return np.concatenate(predictions)


def confusion_matrix(labels, predictions, classes=10):
    """counts[true digit, predicted digit]."""
    counts = np.zeros((classes, classes), np.int64)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def format_confusion(counts):
    lines = ["true \\ predicted " + " ".join(f"{d:>4}" for d in range(len(counts)))]
    for digit, row in enumerate(counts):
        lines.append(f"{digit:>16} " + " ".join(f"{c:>4}" for c in row))
    return "\n".join(lines)


def write_metrics(path, metrics):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, lambda stream: json.dump(metrics, stream, indent=1), text=True)


# ----------------------------------------------------------------------------- main

def quick_ranges(ranges):
    """A smaller grid for --quick: the first, middle and last speed and pitch factors."""
    def thin(grid):
        return tuple(sorted({grid[0], grid[len(grid) // 2], grid[-1]}))
    return dict(ranges, speeds=thin(ranges["speeds"]), pitches=thin(ranges["pitches"]))


def build_dataset(name, variants, noise, ranges, count, seed):
    """The log-mel images, labels and SNRs of ``count`` examples made by ``make_split``."""
    started = time.perf_counter()
    waveforms, labels, snr = make_split(variants, noise, ranges, count, seed)
    images = features(waveforms)
    print(f"{name}: {count} examples from {len(variants)} speed/pitch variants of the 10 recordings "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    return images, labels, snr


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits-dir", default=DIGITS_DIR, help="folder holding 0.wav .. 9.wav (8 kHz)")
    parser.add_argument("--noise-dir", default=LIBRIVOX_DIR, help="folder holding the LibriVox utterances")
    parser.add_argument("--output-dir", default="spoken_digits_output", help="where metrics.json is written")
    parser.add_argument("--train-size", type=int, default=3000)
    parser.add_argument("--test-size", type=int, default=1000, help="examples in each of the two test sets")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3, help="the one-cycle schedule's peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="seconds on a tiny dataset (for CI)")
    args = parser.parse_args(argv)
    train_ranges, held_out_ranges = TRAIN_RANGES, HELD_OUT_RANGES
    if args.quick:
        args.train_size, args.test_size, args.epochs = 200, 100, 2
        train_ranges, held_out_ranges = quick_ranges(TRAIN_RANGES), quick_ranges(HELD_OUT_RANGES)

    started = time.perf_counter()
    ember.manual_seed(args.seed)
    clips = load_digits(args.digits_dir)
    train_noise = load_noise(train_ranges["noise_files"], args.noise_dir)
    held_out_noise = load_noise(held_out_ranges["noise_files"], args.noise_dir)
    stream = sys.stderr
    train_variants = speed_pitch_variants(clips, train_ranges["speeds"], train_ranges["pitches"], stream)
    held_out_variants = speed_pitch_variants(clips, held_out_ranges["speeds"], held_out_ranges["pitches"], stream)
    print(f"speed and pitch variants computed ({time.perf_counter() - started:.0f} s)", flush=True)
    train_images, train_labels, _ = build_dataset("training", train_variants, train_noise, train_ranges,
                                                  args.train_size, args.seed)
    val_images, val_labels, _ = build_dataset("validation", train_variants, train_noise, train_ranges,
                                              args.test_size, args.seed + 1)
    test_images, test_labels, test_snr = build_dataset("held-out", held_out_variants, held_out_noise,
                                                       held_out_ranges, args.test_size, args.seed + 2)

    model = make_model(frames=train_images.shape[-1])
    losses = train(model, train_images, train_labels, args.epochs, args.batch_size, args.lr, args.seed, stream)
    val_accuracy = float((predict(model, val_images) == val_labels).mean())
    predictions = predict(model, test_images)
    correct = predictions == test_labels
    accuracy = float(correct.mean())
    counts = confusion_matrix(test_labels, predictions)
    low_snr = test_snr < 2.5
    seconds = time.perf_counter() - started
    print(f"validation accuracy (training ranges, new draws) {val_accuracy:.4f}")
    print(f"held-out accuracy {accuracy:.4f} (unseen speeds, pitches, SNRs 0-5 dB and noise recordings; "
          f"{float(correct[low_snr].mean()):.4f} at 0-2.5 dB, {float(correct[~low_snr].mean()):.4f} at 2.5-5 dB)")
    print("held-out confusion matrix:\n" + format_confusion(counts))
    metrics = {
        "held_out_accuracy": accuracy,
        "held_out_accuracy_snr_0_to_2.5_db": float(correct[low_snr].mean()),
        "held_out_accuracy_snr_2.5_to_5_db": float(correct[~low_snr].mean()),
        "validation_accuracy": val_accuracy,
        "held_out_confusion_matrix": counts.tolist(),
        "training_losses": losses,
        "train_size": args.train_size,
        "test_size": args.test_size,
        "epochs": args.epochs,
        "seed": args.seed,
        "quick": args.quick,
        "seconds": round(seconds, 1),
        "train_ranges": train_ranges,
        "held_out_ranges": held_out_ranges,
    }
    write_metrics(os.path.join(args.output_dir, "metrics.json"), metrics)
    print(f"done in {seconds:.0f} s; metrics in {os.path.join(args.output_dir, 'metrics.json')}")
    return metrics


if __name__ == "__main__":
    main()
