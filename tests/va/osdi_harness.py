"""Calls a compiled OSDI library directly (ctypes), the way ngspice does, to read residuals and
Jacobians at chosen node voltages: the tests compare the Jacobian with finite differences of
the residual. The structures are declared from the OSDI 0.3 interface (as ngspice 46 reads
it), independently of the generated C."""

from __future__ import annotations

import ctypes as c
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

_u32, _f64, _ptr = c.c_uint32, c.c_double, c.c_void_p


class SimParas(c.Structure):
    _fields_ = [
        ("names", c.POINTER(c.c_char_p)),
        ("vals", c.POINTER(_f64)),
        ("names_str", c.POINTER(c.c_char_p)),
        ("vals_str", c.POINTER(c.c_char_p)),
    ]


class SimInfo(c.Structure):
    _fields_ = [
        ("paras", SimParas),
        ("abstime", _f64),
        ("prev_solve", c.POINTER(_f64)),
        ("prev_state", c.POINTER(_f64)),
        ("next_state", c.POINTER(_f64)),
        ("flags", _u32),
    ]


class InitInfo(c.Structure):
    _fields_ = [("flags", _u32), ("num_errors", _u32), ("errors", _ptr)]


class NodePair(c.Structure):
    _fields_ = [("node_1", _u32), ("node_2", _u32)]


class JacobianEntry(c.Structure):
    _fields_ = [("nodes", NodePair), ("react_ptr_off", _u32), ("flags", _u32)]


class Node(c.Structure):
    _fields_ = [
        ("name", c.c_char_p),
        ("units", c.c_char_p),
        ("residual_units", c.c_char_p),
        ("resist_residual_off", _u32),
        ("react_residual_off", _u32),
        ("resist_limit_rhs_off", _u32),
        ("react_limit_rhs_off", _u32),
        ("is_flow", c.c_bool),
    ]


class Param(c.Structure):
    _fields_ = [
        ("name", c.POINTER(c.c_char_p)),
        ("num_alias", _u32),
        ("description", c.c_char_p),
        ("units", c.c_char_p),
        ("flags", _u32),
        ("len", _u32),
    ]


_ACCESS = c.CFUNCTYPE(_ptr, _ptr, _ptr, _u32, _u32)
_SETUP_MODEL = c.CFUNCTYPE(None, _ptr, _ptr, c.POINTER(SimParas), c.POINTER(InitInfo))
_SETUP_INSTANCE = c.CFUNCTYPE(
    None, _ptr, _ptr, _ptr, _f64, _u32, c.POINTER(SimParas), c.POINTER(InitInfo)
)
_EVAL = c.CFUNCTYPE(_u32, _ptr, _ptr, _ptr, c.POINTER(SimInfo))
_LOAD_JACOBIAN = c.CFUNCTYPE(None, _ptr, _ptr)
_LOAD_JACOBIAN_ALPHA = c.CFUNCTYPE(None, _ptr, _ptr, _f64)


class Descriptor(c.Structure):
    _fields_ = [
        ("name", c.c_char_p),
        ("num_nodes", _u32),
        ("num_terminals", _u32),
        ("nodes", c.POINTER(Node)),
        ("num_jacobian_entries", _u32),
        ("jacobian_entries", c.POINTER(JacobianEntry)),
        ("num_collapsible", _u32),
        ("collapsible", _ptr),
        ("collapsed_offset", _u32),
        ("noise_sources", _ptr),
        ("num_noise_src", _u32),
        ("num_params", _u32),
        ("num_instance_params", _u32),
        ("num_opvars", _u32),
        ("param_opvar", c.POINTER(Param)),
        ("node_mapping_offset", _u32),
        ("jacobian_ptr_resist_offset", _u32),
        ("num_states", _u32),
        ("state_idx_off", _u32),
        ("bound_step_offset", _u32),
        ("instance_size", _u32),
        ("model_size", _u32),
        ("access", _ACCESS),
        ("setup_model", _SETUP_MODEL),
        ("setup_instance", _SETUP_INSTANCE),
        ("eval", _EVAL),
        ("load_noise", _ptr),
        ("load_residual_resist", _ptr),
        ("load_residual_react", _ptr),
        ("load_limit_rhs_resist", _ptr),
        ("load_limit_rhs_react", _ptr),
        ("load_spice_rhs_dc", _ptr),
        ("load_spice_rhs_tran", _ptr),
        ("load_jacobian_resist", _LOAD_JACOBIAN),
        ("load_jacobian_react", _LOAD_JACOBIAN_ALPHA),
        ("load_jacobian_tran", _LOAD_JACOBIAN_ALPHA),
    ]


FLAG_RESIST_RESIDUAL, FLAG_REACT_RESIDUAL = 1, 2
TRANSIENT = 0x21FF  # what ngspice passes on a transient step (osdi-notes.md)
OPERATING_POINT = 0x8975


class Device:
    """One instance of the library's first descriptor, with parameters set."""

    def __init__(self, library: Path, params: Mapping[str, float] | None = None) -> None:
        self._library = c.CDLL(str(library))
        self.descriptor = Descriptor.in_dll(self._library, "OSDI_DESCRIPTORS")
        d = self.descriptor
        self.nodes = [d.nodes[k].name.decode() for k in range(d.num_nodes)]
        self._instance = c.create_string_buffer(d.instance_size)
        self._model = c.create_string_buffer(d.model_size)
        names = {}
        for k in range(d.num_instance_params):
            names[d.param_opvar[k].name[0].decode()] = k
        for name, value in (params or {}).items():
            pointer = d.access(self._address(self._instance), None, names[name], 1 | 4)
            if d.param_opvar[names[name]].flags & 3 == 1:
                c.c_int32.from_address(pointer).value = int(value)
            else:
                c.c_double.from_address(pointer).value = float(value)
        self._paras = SimParas()
        info = InitInfo()
        d.setup_model(None, self._address(self._model), c.byref(self._paras), c.byref(info))
        d.setup_instance(
            None,
            self._address(self._instance),
            self._address(self._model),
            300.15,
            d.num_terminals,
            c.byref(self._paras),
            c.byref(info),
        )
        assert info.num_errors == 0, "parameters out of range"
        size = d.num_nodes
        mapping = (c.c_uint32 * size).from_address(
            self._address(self._instance) + d.node_mapping_offset
        )
        for k in range(size):
            mapping[k] = k + 1  # ngspice's index 0 is ground
        self._entries = [
            (d.jacobian_entries[k].nodes.node_1, d.jacobian_entries[k].nodes.node_2)
            for k in range(d.num_jacobian_entries)
        ]
        self._resist = (c.c_double * max(len(self._entries), 1))()
        self._react = (c.c_double * (2 * max(len(self._entries), 1)))()
        pointers = (c.c_void_p * max(len(self._entries), 1)).from_address(
            self._address(self._instance) + d.jacobian_ptr_resist_offset
        )
        for k in range(len(self._entries)):
            pointers[k] = c.addressof(self._resist) + 8 * k
            offset = d.jacobian_entries[k].react_ptr_off
            if offset != 0xFFFFFFFF:
                c.c_void_p.from_address(self._address(self._instance) + offset).value = (
                    c.addressof(self._react) + 8 * k
                )

    @staticmethod
    def _address(buffer: c.Array[c.c_char]) -> int:
        return c.addressof(buffer)

    def evaluate(
        self, voltages: Sequence[float], flags: int = OPERATING_POINT, time: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(resistive residual, reactive residual, resistive Jacobian, reactive Jacobian) at
        the given unknowns (one per node, in the descriptor's order)."""
        d = self.descriptor
        solve = (c.c_double * (len(voltages) + 1))(0.0, *voltages)
        info = SimInfo(self._paras, time, solve, None, None, flags)
        d.eval(None, self._address(self._instance), self._address(self._model), c.byref(info))
        size = d.num_nodes
        resist = np.zeros(size)
        react = np.zeros(size)
        base = self._address(self._instance)
        for k in range(size):
            node = d.nodes[k]
            resist[k] = c.c_double.from_address(base + node.resist_residual_off).value
            if node.react_residual_off != 0xFFFFFFFF:
                react[k] = c.c_double.from_address(base + node.react_residual_off).value
        for k in range(len(self._entries)):
            self._resist[k] = 0.0
            self._react[k] = 0.0
        d.load_jacobian_resist(base, self._address(self._model))
        d.load_jacobian_react(base, self._address(self._model), 1.0)
        jacobian = np.zeros((size, size))
        charges = np.zeros((size, size))
        for k, (row, column) in enumerate(self._entries):
            jacobian[row, column] += self._resist[k]
            charges[row, column] += self._react[k]
        return resist, react, jacobian, charges
