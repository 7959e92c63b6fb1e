"""Form fields shared by several areas' forms."""
from __future__ import annotations

from wtforms import SelectMultipleField, widgets


class CheckboxList(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (domains, permissions)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
