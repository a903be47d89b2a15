"""The five reference trainings of the exam, at any size.

Each workload takes its sizes (samples, epochs, batch size) and its shape
(image size, vocabulary, window lengths) as parameters: the quick benchmark
and the full reference job run exactly this code, only with other numbers.
The data is synthetic but real in shape and pipeline: category 3 writes JPEG
files, one folder per class, and reads them back with
`image_dataset_from_directory`; category 4 goes through a real tokenizer;
category 5 windows a multivariate series with tf.data.

Runs inside the interpreter under test (Python 3.7+, TensorFlow 2.9 to
2.21+, Keras 2 or 3): only APIs present in all of them, or a branch.
"""

import math
import os
import time

import _probelib
import bench_timing

KINDS = ("regression", "dense", "image_cnn", "text_lstm", "timeseries")
_PHASES = {
    "data": "making synthetic data",
    "prepare": "preparing the data",
    "build": "building and compiling the model",
    "fit": "training",
}


class Measurement(object):
    """What one workload measured so far; kept when it is cut short."""

    def __init__(self, category, kind, shape, sizes, label=None):
        self.label = label or "category %d" % category
        self.result = {
            "category": category,
            "kind": kind,
            "shape": dict(shape),
            "sizes": dict(sizes),
            "status": "running",
        }
        self.timer = None

    def phase(self, name, func, *args):
        """Time one phase (data, prepare, build, fit) into result[name + '_s']."""
        _probelib.progress(
            _probelib.BENCH_PHASE,
            category=self.result["category"],
            phase=name,
            message="%s: %s" % (self.label, _PHASES.get(name, name)),
        )
        started, cpu = time.perf_counter(), time.process_time()
        value = func(*args)
        self.result[name + "_s"] = round(time.perf_counter() - started, 6)
        # CPU seconds of the whole process: tells a busy machine from a slow one.
        self.result[name + "_cpu_s"] = round(time.process_time() - cpu, 6)
        return value

    def finish(self, status):
        """Fold the timer's records into the result (also after Ctrl-C)."""
        self.result["status"] = status
        if self.timer is None:
            return self.result
        epochs = [_rounded_epoch(e) for e in self.timer.epochs]
        self.result["epochs"] = epochs
        partial = self.timer.partial_epoch()
        if partial is not None:
            self.result["partial_epoch"] = _rounded_epoch(partial)
        if self.timer.train_started is not None and self.timer.train_ended is not None:
            self.result["fit_inner_s"] = round(self.timer.train_ended - self.timer.train_started, 6)
        return self.result


def _rounded_epoch(epoch):
    out = {}
    for key, value in epoch.items():
        if isinstance(value, list):
            out[key] = [round(v, 6) for v in value]
        elif isinstance(value, float):
            out[key] = round(value, 6)
        elif isinstance(value, dict):
            out[key] = _rounded_epoch(value)
        else:
            out[key] = value
    return out


def run_workload(tf, measurement, workdir, seed=1234):
    """Generate data, prepare it as exam code does, build, compile and fit."""
    import numpy as np

    keras = tf.keras
    result = measurement.result
    kind = result["kind"]
    shape = result["shape"]
    sizes = result["sizes"]
    rng = np.random.RandomState(seed)
    tf.random.set_seed(seed)
    workload = _WORKLOADS[kind]

    data = measurement.phase("data", workload["synth"], np, rng, shape, sizes, workdir, tf)
    prepared = measurement.phase("prepare", workload["prepare"], tf, shape, sizes, data)
    train, val, fit_kwargs, info = prepared
    result.update(info)
    model = measurement.phase("build", workload["build"], keras, shape)
    result["parameters"] = int(model.count_params())

    timer = bench_timing.make_timer(keras, result["category"], sizes["epochs"], measurement.label)
    measurement.timer = timer
    kwargs = dict(fit_kwargs)
    kwargs.update(
        epochs=sizes["epochs"],
        verbose=0,
        callbacks=[timer, _threshold_callback(keras)],
    )
    if val is not None:
        kwargs["validation_data"] = val
    bounds = {}

    def fit():
        bounds["call"] = time.perf_counter()
        if isinstance(train, tuple):
            model.fit(train[0], train[1], **kwargs)
        else:
            model.fit(train, **kwargs)
        bounds["return"] = time.perf_counter()

    measurement.phase("fit", fit)
    if timer.train_started is not None and timer.train_ended is not None:
        # Before the first epoch (input adapters) and after the last (iterator teardown).
        result["fit_head_s"] = round(timer.train_started - bounds["call"], 6)
        result["fit_tail_s"] = round(bounds["return"] - timer.train_ended, 6)
    return measurement.finish("done")


def _threshold_callback(keras):
    """The exam starters' "stop at accuracy X" callback; the bar is never reached
    here, so every run trains all its epochs, but the per-epoch check is paid."""

    class StopAtThreshold(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            for key in ("accuracy", "mae"):
                value = logs.get(key)
                if value is not None and float(value) > 1e9:
                    self.model.stop_training = True

    return StopAtThreshold()


def steps_for(kind, shape, samples, batch_size):
    """Batches per epoch for `samples` examples (rows, for a time series)."""
    if samples <= 0:
        return 0
    if kind == "timeseries":
        samples = samples - shape["n_past"] - shape["n_future"] + 1
        if samples <= 0:
            return 0
    return int(math.ceil(samples / float(batch_size)))


# --- 1. regression: a handful of points, many epochs -------------------------------


def _synth_regression(np, rng, shape, sizes, workdir, tf):
    xs = np.arange(sizes["train_samples"], dtype="float32") - 1.0
    return xs, 2.0 * xs - 1.0


def _prepare_regression(tf, shape, sizes, data):
    xs, ys = data
    train = (xs.reshape(-1, 1), ys.reshape(-1, 1))
    return train, None, {"batch_size": sizes["batch_size"]}, {}


def _build_regression(keras):
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    return model


# --- 2. Fashion-MNIST-sized dense classifier ----------------------------------------


def _synth_dense(np, rng, shape, sizes, workdir, tf):
    h, w, classes = shape["height"], shape["width"], shape["classes"]

    def images(n):
        return rng.randint(0, 256, size=(n, h, w), dtype="uint8"), rng.randint(
            0, classes, size=(n,)
        ).astype("uint8")

    return images(sizes["train_samples"]), images(sizes["val_samples"])


def _prepare_dense(tf, shape, sizes, data):
    (x, y), (xv, yv) = data
    train = (x / 255.0, y)
    val = (xv / 255.0, yv) if len(xv) else None
    return train, val, {"batch_size": sizes["batch_size"]}, {}


def _build_dense(keras, shape):
    model = keras.Sequential(
        [
            keras.Input(shape=(shape["height"], shape["width"])),
            keras.layers.Flatten(),
            keras.layers.Dense(shape["units"], activation="relu"),
            keras.layers.Dense(shape["classes"], activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# --- 3. image CNN on JPEG files, one folder per class -------------------------------


def _synth_images(np, rng, shape, sizes, workdir, tf):
    """Write smooth, photo-like JPEGs (noise would compress unlike photos)."""
    size, channels, classes = shape["image_size"], shape["channels"], shape["classes"]
    folders = {}
    total_bytes = 0
    files = 0
    for split, count in (("train", sizes["train_samples"]), ("validation", sizes["val_samples"])):
        if count <= 0:
            continue
        root = os.path.join(workdir, "images", split)
        folders[split] = root
        for index in range(count):
            label = index % classes
            folder = os.path.join(root, "class_%d" % label)
            if not os.path.isdir(folder):
                os.makedirs(folder)
            coarse = rng.uniform(0, 255, size=(1, 6, 6, channels)).astype("float32")
            image = tf.image.resize(coarse, (size, size))[0]
            image = image + rng.normal(0, 6.0, size=(size, size, channels)).astype("float32")
            encoded = tf.io.encode_jpeg(tf.cast(tf.clip_by_value(image, 0, 255), tf.uint8))
            path = os.path.join(folder, "img_%05d.jpg" % index)
            tf.io.write_file(path, encoded)
            total_bytes += os.path.getsize(path)
            files += 1
    return {"folders": folders, "files": files, "bytes": total_bytes}


def _image_dataset(tf, folder, shape, batch_size, shuffle):
    label_mode = "binary" if shape["classes"] == 2 else "int"
    size = (shape["image_size"], shape["image_size"])
    loader = getattr(tf.keras.utils, "image_dataset_from_directory", None)
    if loader is None:  # TensorFlow before 2.9 kept it under preprocessing
        loader = tf.keras.preprocessing.image_dataset_from_directory
    return loader(
        folder,
        labels="inferred",
        label_mode=label_mode,
        image_size=size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=1234,
    )


def _prepare_images(tf, shape, sizes, data):
    folders = data["folders"]
    train = _image_dataset(tf, folders["train"], shape, sizes["batch_size"], True)
    val = None
    if "validation" in folders:
        val = _image_dataset(tf, folders["validation"], shape, sizes["batch_size"], False)
    info = {"jpeg_files": data["files"], "jpeg_bytes": data["bytes"]}
    return train, val, {}, info


def _build_cnn(keras, shape):
    layers = keras.layers
    size = shape["image_size"]
    stack = [
        keras.Input(shape=(size, size, shape["channels"])),
        layers.Rescaling(1.0 / 255),
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
    ]
    filters = (16, 32, 64, 64, 64, 64)
    for block in range(shape["conv_blocks"]):
        stack.append(layers.Conv2D(filters[min(block, 5)], 3, activation="relu"))
        stack.append(layers.MaxPooling2D(2))
    stack.append(layers.Flatten())
    stack.append(layers.Dense(shape["dense_units"], activation="relu"))
    if shape["classes"] == 2:
        stack.append(layers.Dense(1, activation="sigmoid"))
        loss = "binary_crossentropy"
    else:
        stack.append(layers.Dense(shape["classes"], activation="softmax"))
        loss = "sparse_categorical_crossentropy"
    model = keras.Sequential(stack)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001), loss=loss, metrics=["accuracy"]
    )
    return model


# --- 4. text: headlines through a real tokenizer, Bi-LSTM ---------------------------

_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "sho",
    "pe",
    "vi",
    "da",
    "gre",
    "in",
    "on",
    "ex",
    "tra",
    "mo",
    "lu",
    "bi",
    "ste",
    "ar",
)


def _synth_text(np, rng, shape, sizes, workdir, tf):
    """Headlines of 6-14 words from a Zipf-like vocabulary bigger than the tokenizer's."""
    vocab = []
    for i in range(shape["vocab_size"] * 3):
        parts = rng.randint(0, len(_SYLLABLES), size=2 + i % 3)
        vocab.append("".join(_SYLLABLES[p] for p in parts) + str(i % 7))
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights = weights / weights.sum()

    def headlines(n):
        lengths = rng.randint(6, 15, size=n)
        words = rng.choice(len(vocab), size=int(lengths.sum()), p=weights)
        out, pos = [], 0
        for length in lengths:
            out.append(" ".join(vocab[w] for w in words[pos : pos + length]))
            pos += length
        return out, rng.randint(0, 2, size=n).astype("float32")

    return headlines(sizes["train_samples"]), headlines(sizes["val_samples"])


def _tokenize(tf, shape, train_texts, val_texts):
    """The exam starters' Tokenizer + pad_sequences where Keras has it, else
    TextVectorization (both pad and truncate at the end)."""
    import numpy as np

    keras = tf.keras
    vocab, length = shape["vocab_size"], shape["max_length"]
    text_module = getattr(getattr(keras, "preprocessing", None), "text", None)
    tokenizer_cls = getattr(text_module, "Tokenizer", None)
    pad = getattr(keras.utils, "pad_sequences", None) or getattr(
        getattr(getattr(keras, "preprocessing", None), "sequence", None), "pad_sequences", None
    )
    if tokenizer_cls is not None and pad is not None:
        tokenizer = tokenizer_cls(num_words=vocab, oov_token="<OOV>")
        tokenizer.fit_on_texts(train_texts)

        def encode(texts):
            seqs = tokenizer.texts_to_sequences(texts)
            return pad(seqs, maxlen=length, padding="post", truncating="post")

        return "keras Tokenizer + pad_sequences", encode(train_texts), encode(val_texts)
    vectorizer = keras.layers.TextVectorization(max_tokens=vocab, output_sequence_length=length)
    vectorizer.adapt(np.array(train_texts))

    def vectorize(texts):
        if not texts:
            return np.zeros((0, length), dtype="int64")
        return np.asarray(vectorizer(np.array(texts)))

    return "TextVectorization", vectorize(train_texts), vectorize(val_texts)


def _prepare_text(tf, shape, sizes, data):
    (train_texts, y), (val_texts, yv) = data
    tokenizer, x, xv = _tokenize(tf, shape, train_texts, val_texts)
    val = (xv, yv) if len(val_texts) else None
    return (x, y), val, {"batch_size": sizes["batch_size"]}, {"tokenizer": tokenizer}


def _build_text(keras, shape):
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(shape["max_length"],)),
            layers.Embedding(shape["vocab_size"], shape["embedding_dim"]),
            layers.Bidirectional(layers.LSTM(shape["lstm_units"])),
            layers.Dense(shape["dense_units"], activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


# --- 5. multivariate time series, windowed with tf.data -----------------------------


def _synth_series(np, rng, shape, sizes, workdir, tf):
    """Daily and weekly cycles plus noise on every feature, scaled to [0, 1]."""
    rows = sizes["train_samples"] + sizes["val_samples"]
    t = np.arange(rows, dtype="float32")[:, None]
    phases = rng.uniform(0, 2 * np.pi, size=(1, shape["features"]))
    series = (
        np.sin(2 * np.pi * t / 1440.0 + phases)
        + 0.5 * np.sin(2 * np.pi * t / 10080.0 + phases)
        + rng.normal(0, 0.2, size=(rows, shape["features"]))
    ).astype("float32")
    low, high = series.min(axis=0), series.max(axis=0)
    return (series - low) / (high - low)


def _windowed(tf, series, shape, batch_size):
    past, future = shape["n_past"], shape["n_future"]
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(past + future, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(past + future))
    ds = ds.map(lambda w: (w[:past], w[past:]))
    return ds.batch(batch_size).prefetch(1)


def _prepare_series(tf, shape, sizes, data):
    split = sizes["train_samples"]
    train = _windowed(tf, data[:split], shape, sizes["batch_size"])
    val = None
    if sizes["val_samples"] > 0:
        val = _windowed(tf, data[split:], shape, sizes["batch_size"])
    return train, val, {}, {}


def _build_series(keras, shape):
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(shape["n_past"], shape["features"])),
            layers.Conv1D(shape["conv_filters"], 3, padding="causal", activation="relu"),
            layers.Bidirectional(layers.LSTM(shape["lstm_units"], return_sequences=True)),
            layers.Bidirectional(layers.LSTM(shape["lstm_units"], return_sequences=True)),
            layers.Dense(shape["features"]),
        ]
    )
    model.compile(optimizer="adam", loss="mae", metrics=["mae"])
    return model


_WORKLOADS = {
    "regression": {
        "synth": _synth_regression,
        "prepare": _prepare_regression,
        "build": lambda keras, shape: _build_regression(keras),
    },
    "dense": {"synth": _synth_dense, "prepare": _prepare_dense, "build": _build_dense},
    "image_cnn": {"synth": _synth_images, "prepare": _prepare_images, "build": _build_cnn},
    "text_lstm": {"synth": _synth_text, "prepare": _prepare_text, "build": _build_text},
    "timeseries": {"synth": _synth_series, "prepare": _prepare_series, "build": _build_series},
}
