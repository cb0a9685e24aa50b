"""Learning on simulated hardware: rules as pure functions, datasets that ship with packages,
held-out evaluation, and trainers that take an engine (SPICE through ``Session``, or a
surrogate characterised from SPICE).
"""

from spicegen.learn.datasets import BUNDLED, Dataset, load_dataset
from spicegen.learn.errors import DatasetError, LearnError
from spicegen.learn.evaluation import (
    Fold,
    Scaler,
    Summary,
    accuracy,
    confusion_matrix,
    stratified_folds,
    summarise,
    write_metrics,
)

__all__ = [
    "BUNDLED",
    "Dataset",
    "DatasetError",
    "Fold",
    "LearnError",
    "Scaler",
    "Summary",
    "accuracy",
    "confusion_matrix",
    "load_dataset",
    "stratified_folds",
    "summarise",
    "write_metrics",
]
