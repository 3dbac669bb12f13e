"""Interactive explainer of Deep Gluteal Syndrome (DGS).

Layers, with data flowing one way:

- model modules (``frames``, and the physics modules built on it) are pure numpy;
- ``views`` draw a result they are given with matplotlib;
- ``dashboard`` wires ipywidgets controls to the model and the views.
"""

__version__ = "0.1.0"
