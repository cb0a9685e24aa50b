"""Fast numpy models of devices and circuits, characterised by sweeps of ngspice.

A characterisation runs the real device model in ngspice (one netlist for many devices,
variability included), a fit turns the results into a frozen surrogate with ``predict(...)``
in numpy, and a validation compares it with ngspice on inputs it was not fitted on
(``validation.compare``). Results are cached on disk by everything they depend on
(``cache.cached_arrays``), so a second run does not repeat the SPICE work.

One module per characterisation; each learning engine receives its surrogate as data:

- ``mtj_neuron``: the MTJ neuron pairs of a finite-difference network (``characterise_pairs``
  -> ``PairSurrogate``, ``validate_pairs``);
- ``crossbar``: a resistive crossbar as a linear map, ideal or with IR drop (``CrossbarMap``).

A new characterisation (spiking neurons, device write statistics, RRAM programming) is a new
module beside these: it builds its netlist, runs it through ``cached_arrays`` with every part
its numbers depend on in the key, fits a frozen result and ships a validation against fresh
ngspice points (``compare``).
"""

from spicegen.surrogate.cache import cache_dir, cache_key, cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.surrogate.validation import Validation, compare

__all__ = ["SurrogateError", "Validation", "cache_dir", "cache_key", "cached_arrays", "compare"]

from spicegen.surrogate.memristive_synapse import (
    SynapseSurrogate,
    characterise_synapse,
    validate_synapse,
)
from spicegen.surrogate.oscillator_neuron import (
    NeuronSurrogate,
    NeuronValidation,
    characterise_neuron,
    validate_neuron,
)

__all__ += [
    "NeuronSurrogate",
    "NeuronValidation",
    "SynapseSurrogate",
    "characterise_neuron",
    "characterise_synapse",
    "validate_neuron",
    "validate_synapse",
]
