"""The osdi target: Verilog-A -> C implementing the OSDI interface ngspice 46 loads, compiled
with the system C compiler and cached by content hash. See ``docs/compiler.md``."""
