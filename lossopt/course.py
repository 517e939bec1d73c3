"""The one list of lessons.

The course index (notebooks/00_index.ipynb), the navigation lines at the top and
bottom of every notebook, the README's lesson table and the exercise notebooks
are all generated from ``LESSONS`` by ``python -m lossopt.build`` (``make course``).
A test fails when a generated file is stale.

A lesson with ``ready=False`` is planned but not written yet: the index lists it
as "coming soon" and nothing links to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str
    part: str
    summary: str
    minutes: int            # estimated learner time, lesson plus exercises
    ready: bool = True
    has_exercises: bool = True

    @property
    def stem(self) -> str:
        return f"{self.number:02d}_{self.slug}"

    @property
    def notebook(self) -> str:
        """Path of the lesson, relative to the repository root."""
        return f"notebooks/{self.stem}.ipynb"

    @property
    def solution(self) -> str:
        return f"solutions/{self.stem}_solutions.ipynb"

    @property
    def exercise(self) -> str:
        return f"exercises/{self.stem}_exercises.ipynb"


INDEX = Lesson(0, "index", "Course index", "", "Start here: the lessons, how to use them, and an environment check.",
               5, has_exercises=False)

LESSONS = [
    Lesson(1, "mean_squared_error", "Mean squared error", "Part I: Losses",
           "Fit a line by minimising MSE; why squaring punishes large errors; MSE as a Gaussian likelihood.", 40,
           ready=True),
    Lesson(2, "cross_entropy", "Cross-entropy", "Part I: Losses",
           "Binary and categorical cross-entropy, logits, softmax, log-sum-exp and label smoothing.", 60,
           ready=True),
    Lesson(3, "huber_loss", "Huber loss", "Part I: Losses",
           "MSE near zero, MAE in the tails: robust regression with outliers.", 35),
    Lesson(4, "hinge_loss", "Hinge loss", "Part I: Losses",
           "Margins, the linear SVM and the multi-class hinge.", 45),
    Lesson(5, "choosing_a_loss", "Choosing a loss", "Part I: Losses",
           "Every loss side by side, a decision table, and an experiment for each row.", 30),
    Lesson(6, "gradient_descent", "Gradient descent", "Part II: Optimizers",
           "The update rule, the learning rate, and how conditioning sets the speed.", 45, ready=True),
    Lesson(7, "stochastic_gradient_descent", "Stochastic and mini-batch gradient descent", "Part II: Optimizers",
           "Noisy but unbiased gradients, batch size, epochs, shuffling and decay.", 45, ready=True),
    Lesson(8, "momentum", "Momentum and Nesterov", "Part II: Optimizers",
           "The heavy ball: faster through ravines, over small bumps.", 40, ready=True),
    Lesson(9, "rmsprop", "RMSprop and AdaGrad", "Part II: Optimizers",
           "Per-parameter step sizes from running gradient magnitudes.", 40, ready=True),
    Lesson(10, "adam", "Adam and AdamW", "Part II: Optimizers",
           "Moments, bias correction and decoupled weight decay, number for number with PyTorch.", 50, ready=True),
    Lesson(11, "optimizer_comparison", "The optimizers compared", "Part II: Optimizers",
           "A race on test surfaces and an MLP on handwritten digits.", 45, ready=True),
    Lesson(12, "summary", "Summary and next steps", "Part II: Optimizers",
           "Choosing a loss and an optimizer, learning-rate schedules, what comes next.", 20, ready=True,
           has_exercises=False),
]


def ready_lessons() -> list[Lesson]:
    """The lessons that exist, in order (without the index)."""
    return [lesson for lesson in LESSONS if lesson.ready]
