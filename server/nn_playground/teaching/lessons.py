"""The lessons: one ready-made experiment per concept the playground teaches, with a few plain
sentences on what to look at and what to try next. Data and its validation only (pydantic;
no FastAPI, no JAX). tests/test_lessons.py trains every lesson and checks that it shows its
claim, so change a configuration here only with its test passing."""

from __future__ import annotations

from nn_playground.teaching.lesson_model import (
    Lesson,
    Lessons,
    hidden_except,
    lesson_from,
    lesson_settings,
    served,
)

__all__ = ["BY_ID", "LESSONS", "Lesson", "Lessons", "describe_lessons", "lesson_settings"]

# The few noisy points that a big network overfits (lessons 7 and 8): 20 training points
# and 180 test points, so the test loss is measured well.
_FEW_NOISY_POINTS = {
    "dataset": "moons",
    "n_points": 200,
    "train_fraction": 0.1,
    "noise": 0.5,
    "data_seed": 3,
    "hidden": [8, 8, 8],
    "activations": ["relu"],
    "optimizer": "adam",
    "learning_rate": 0.003,
    "batch_size": 10,
}

LESSONS: tuple[Lesson, ...] = (
    lesson_from(
        id="activations",
        title="Why activation functions",
        explanation=[
            "Both networks have two hidden layers of four neurons: the left one with the "
            "linear activation, the right one with ReLU.",
            "However long it trains, the linear network draws a straight boundary, because "
            "a stack of linear layers is still one linear function of the inputs; ReLU bends "
            "the boundary around the inner circle.",
            "Try more linear layers: the boundary stays straight.",
        ],
        settings={"dataset": "circle", "noise": 0.0, "hidden": [4, 4], "learning_rate": 0.03},
        compare=[{"activations": ["linear"]}, {"activations": ["relu"]}],
        try_next={"hidden": [4, 4, 4, 4]},
        epochs_per_frame=5,
        hidden_controls=hidden_except("dataset", "noise", "hidden", "activations"),
    ),
    lesson_from(
        id="features",
        title="Feature engineering",
        explanation=[
            "Neither network has a hidden layer: each is a single neuron, which can only "
            "draw a straight line in the features it is given.",
            "Fed x1 and x2 it fails; fed x1² and x2² it solves the circle at once, because "
            "the circle x1² + x2² = r² is a straight line in those features.",
            "Switch to xor: neither pair separates it, because its classes follow the sign "
            "of x1·x2, the feature to try next.",
        ],
        settings={"dataset": "circle", "noise": 0.0, "hidden": [], "learning_rate": 0.03},
        compare=[{"features": ["x1", "x2"]}, {"features": ["x1^2", "x2^2"]}],
        try_next={"dataset": "xor"},
        epochs_per_frame=5,
        hidden_controls=hidden_except("dataset", "noise", "features", "hidden"),
    ),
    lesson_from(
        id="vanishing-gradients",
        title="ReLU, tanh and sigmoid in a deep network",
        explanation=[
            "Three networks of six hidden layers learn the circle: ReLU, tanh and sigmoid.",
            "Watch the gradient norm of each layer: with sigmoid it shrinks several times "
            "over at every layer on the way back, so the first layers hardly learn and the "
            "loss stays flat.",
            "ReLU and tanh pass the gradient back almost intact and solve the circle within "
            "a few dozen epochs.",
            "Try two hidden layers: far more of the gradient reaches sigmoid's first layer.",
        ],
        settings={
            "dataset": "circle",
            "noise": 0.0,
            "hidden": [8, 8, 8, 8, 8, 8],
            "learning_rate": 0.03,
            "batch_size": 10,
        },
        compare=[
            {"activations": ["relu"]},
            {"activations": ["tanh"]},
            {"activations": ["sigmoid"]},
        ],
        try_next={"hidden": [8, 8]},
        epochs_per_frame=2,
        hidden_controls=hidden_except("hidden", "activations", "learning_rate"),
    ),
    lesson_from(
        id="learning-rate",
        title="The learning rate",
        explanation=[
            "The same network trains with three learning rates: 0.0003, 0.03 and 3.",
            "The smallest crawls (after a hundred epochs its loss has barely moved), and "
            "0.03 converges smoothly.",
            "At 3 the steps are so large that the loss jumps up and down and ends far worse.",
            "Try rates in between to find the largest one that still converges.",
        ],
        settings={"dataset": "circle", "noise": 0.0, "hidden": [4, 2], "activations": ["tanh"]},
        compare=[{"learning_rate": 0.0003}, {"learning_rate": 0.03}, {"learning_rate": 3.0}],
        epochs_per_frame=2,
        hidden_controls=hidden_except("dataset", "noise", "learning_rate"),
    ),
    lesson_from(
        id="batch-size",
        title="Gradient descent, minibatches and per-example SGD",
        explanation=[
            "Three runs differ only in how many points each update uses: all 250 training "
            "points (gradient descent), 10 (minibatch SGD) and 1 (per-example SGD).",
            "Gradient descent's loss curve is smooth, but it takes one step per epoch and "
            "has barely moved; per-example SGD takes 250 noisy steps per epoch and falls "
            "fastest, along a jagged curve.",
            "Minibatches sit in between: steady progress without the noise.",
            "Try a larger learning rate for gradient descent.",
        ],
        settings={
            "dataset": "circle",
            "noise": 0.3,
            "hidden": [4, 2],
            "activations": ["tanh"],
            "optimizer": "sgd",
            "learning_rate": 0.03,
        },
        compare=[{"batch_size": 1000}, {"batch_size": 10}, {"batch_size": 1}],
        epochs_per_frame=1,
        hidden_controls=hidden_except("noise", "learning_rate", "batch_size"),
    ),
    lesson_from(
        id="optimizers",
        title="Momentum and Adam",
        explanation=[
            "The two-arm spiral is hard for plain stochastic gradient descent: at this "
            "learning rate it crawls for hundreds of epochs.",
            "Momentum keeps a running direction that gathers speed along a consistent "
            "slope, and Adam also scales each weight's step by the size of its recent "
            "gradients.",
            "Both wind the boundary round the spiral far sooner.",
            "Try RMSProp and Nesterov momentum as well.",
        ],
        settings={
            "dataset": "spiral",
            "noise": 0.0,
            "hidden": [8, 8, 8],
            "activations": ["relu"],
            "learning_rate": 0.01,
            "batch_size": 10,
            # Seed 0's Adam settles in a poor minimum (0.83 test accuracy at 300 epochs);
            # at seeds 1-5 it reaches 0.97-1.0. The lesson shows the typical run, and the
            # random-restarts lesson shows how much one seed can matter.
            "seed": 2,
        },
        compare=[{"optimizer": "sgd"}, {"optimizer": "momentum"}, {"optimizer": "adam"}],
        epochs_per_frame=5,
        hidden_controls=hidden_except(
            "optimizer", "learning_rate", "momentum", "beta1", "beta2", "rho"
        ),
    ),
    lesson_from(
        id="overfitting",
        title="Overfitting and early stopping",
        explanation=[
            "Twenty noisy training points and a network of three hidden layers, with far "
            "more weights than points.",
            "The training loss keeps falling towards zero while the test loss reaches a "
            "minimum and then climbs: the network is memorising the noise.",
            "The right-hand model uses early stopping: it stops once the test loss has not "
            "improved for 30 epochs, and keeps the weights of its best epoch.",
            "Try more points: does the test loss still turn up?",
        ],
        settings={**_FEW_NOISY_POINTS, "patience": 30},
        compare=[{"early_stopping": False}, {"early_stopping": True}],
        epochs_per_frame=2,
        hidden_controls=hidden_except("n_points", "noise", "hidden", "early_stopping", "patience"),
    ),
    lesson_from(
        id="regularisation",
        title="Regularisation: L2, dropout and L1",
        explanation=[
            "The same few noisy points and big network, trained four ways: plain, with L2, "
            "with dropout and with L1.",
            "L2 and dropout keep the test loss much closer to the training loss than the "
            "plain network does.",
            "L1 pushes many weights to zero: see how many links of its network fade away.",
            "Try raising each strength until the training loss starts to suffer.",
        ],
        settings=_FEW_NOISY_POINTS,
        compare=[{}, {"l2": 0.03}, {"dropout": [0.5]}, {"l1": 0.01}],
        epochs_per_frame=5,
        hidden_controls=hidden_except("n_points", "noise", "l1", "l2", "dropout"),
    ),
    lesson_from(
        id="softmax",
        title="Multiclass softmax, and a loss computed from logits",
        explanation=[
            "Four classes: the network has four outputs, and softmax turns them into "
            "probabilities that sum to one.",
            "Adam at a high learning rate drives the logits into the hundreds, where the "
            "naive loss, which computes the probabilities first, overflows to infinity or "
            "NaN and halts training.",
            "The stable loss works from the logits (log-sum-exp) and stays finite.",
            "Try a learning rate of 0.01: the logits stay small and both train.",
        ],
        settings={
            "dataset": "blobs",
            "n_classes": 4,
            "noise": 0.3,
            "hidden": [8],
            "activations": ["relu"],
            "optimizer": "adam",
            "learning_rate": 0.3,
        },
        compare=[{"loss": "cross_entropy"}, {"loss": "cross_entropy_naive"}],
        try_next={"learning_rate": 0.01},
        epochs_per_frame=1,
        hidden_controls=hidden_except("n_classes", "loss", "learning_rate"),
    ),
    lesson_from(
        id="multilabel",
        title="Multilabel: independent sigmoids",
        explanation=[
            "Three overlapping discs: a point can carry several labels at once, so each "
            "output has its own sigmoid and the outputs need not sum to one.",
            "Where the discs overlap, two or three outputs light up together.",
            "Switch to blobs for a multiclass problem: softmax makes the outputs compete, "
            "so they always sum to one and one class wins at every point.",
        ],
        settings={
            "dataset": "overlap",
            "noise": 0.0,
            "hidden": [8, 8],
            "activations": ["relu"],
            "optimizer": "adam",
            "learning_rate": 0.01,
        },
        try_next={"dataset": "blobs"},
        epochs_per_frame=5,
        hidden_controls=hidden_except("dataset", "hidden"),
    ),
    lesson_from(
        id="regression-output",
        title="The output activation for regression",
        explanation=[
            "The targets form a tilted plane from -1 to 1: a linear output can take any "
            "value and fits it, while a ReLU output cannot go below zero, so half of the "
            "plane stays flat at zero.",
            "Switch to bumps, where no target is negative: there ReLU fits as well, and "
            "never predicts an impossible negative value, as linear does in places.",
            "With an unlucky seed one step can push the ReLU output below zero at every "
            "point, where it gets no gradient and stays dead: reset to another seed.",
        ],
        settings={
            "dataset": "plane",
            "noise": 0.0,
            "hidden": [8, 8],
            "activations": ["tanh"],
            "optimizer": "adam",
            "learning_rate": 0.01,
        },
        compare=[{"regression_output": "linear"}, {"regression_output": "relu"}],
        try_next={"dataset": "bumps"},
        epochs_per_frame=5,
        hidden_controls=hidden_except("dataset", "hidden", "regression_output"),
    ),
    lesson_from(
        id="perceptron",
        title="The perceptron",
        explanation=[
            "The left model is a perceptron: one neuron with a step output, trained by the "
            "perceptron rule (each misclassified point pulls the line towards itself).",
            "On separable data it finds a line that gets every training point right.",
            "Switch to xor: no straight line separates it, so the perceptron never gets "
            "there, while the right model, with one hidden layer of eight neurons, solves it.",
        ],
        settings={
            "dataset": "linear",
            "noise": 0.0,
            "loss": "perceptron",
            "hidden": [],
            "activations": ["tanh"],
            "optimizer": "sgd",
            "learning_rate": 0.03,
            "batch_size": 1,
        },
        compare=[
            {"loss": "perceptron", "hidden": []},
            {"loss": "cross_entropy", "hidden": [8]},
        ],
        try_next={"dataset": "xor"},
        epochs_per_frame=1,
        hidden_controls=hidden_except("dataset", "loss", "hidden", "learning_rate"),
    ),
    lesson_from(
        id="random-restarts",
        title="Random restarts",
        explanation=[
            "Five copies of the same network start from five random seeds on the spiral.",
            "They end in different places: some wind round the spiral, others get stuck "
            "with a higher loss and a different boundary.",
            "When a run stalls, a new seed is often the cheapest fix.",
        ],
        settings={
            "dataset": "spiral",
            "noise": 0.0,
            "hidden": [6, 6],
            "activations": ["relu"],
            "optimizer": "adam",
            "learning_rate": 0.01,
        },
        compare=[{"seed": seed} for seed in range(5)],
        epochs_per_frame=5,
        hidden_controls=hidden_except("hidden", "seed"),
    ),
    lesson_from(
        id="initialisation",
        title="Initialisation and symmetry",
        explanation=[
            "Left, every weight starts at zero; right, weights start small and random (Glorot).",
            "With zeros, every neuron of a layer computes the same thing and gets the same "
            "gradient, so they stay identical for ever: each layer acts as one neuron, and "
            "the boundary cannot close round the circle.",
            "The activation is sigmoid, which is not zero at zero, so the zero-started "
            "network does learn, only in lockstep.",
        ],
        settings={
            "dataset": "circle",
            "noise": 0.0,
            "hidden": [4, 4],
            "activations": ["sigmoid"],
            "optimizer": "adam",
            "learning_rate": 0.01,
        },
        compare=[{"init": "zeros"}, {"init": "glorot_uniform"}],
        epochs_per_frame=5,
        hidden_controls=hidden_except("init", "hidden", "activations"),
    ),
    lesson_from(
        id="backprop-one-step",
        title="Backpropagation, one step",
        explanation=[
            "A tiny network (inputs x1 and x2, one hidden layer of two tanh neurons, one "
            "output) trains on six points, three per step, by plain gradient descent.",
            "Explain a step follows one point forward, then back: the gradient of its loss "
            "with respect to the chosen weight is the product of the chain rule's factors.",
            "The step's gradient is the mean of its three points' gradients, and the weight "
            "moves against it by the learning rate.",
            "Press Apply this step and explain again: the cost of that minibatch went down, "
            "as the nudge predicted (the cost changes by about the gradient times the nudge).",
        ],
        settings={
            "dataset": "xor",
            "n_points": 10,
            "train_fraction": 0.6,
            "noise": 0.0,
            "data_seed": 0,
            "features": ["x1", "x2"],
            "hidden": [2],
            "activations": ["tanh"],
            "loss": "cross_entropy",
            "optimizer": "sgd",
            "learning_rate": 0.1,
            "batch_size": 3,
        },
        epochs_per_frame=1,
        hidden_controls=hidden_except("activations", "learning_rate", "batch_size"),
        explain_view=True,
    ),
)

BY_ID: dict[str, Lesson] = {lesson.id: lesson for lesson in LESSONS}
if len(BY_ID) != len(LESSONS):
    raise ValueError("lesson ids must be unique")


def describe_lessons() -> Lessons:
    return Lessons(lessons=[served(lesson) for lesson in LESSONS])
