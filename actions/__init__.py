"""Custom actions for the store-support bot.

`rasa run actions --actions actions` imports every module in this package and registers
each concrete `rasa_sdk.Action` subclass it finds. Modules are split by concern; the order
data lives behind `shop`.
"""

import logging

# rasa_sdk's ValidationAction logs a warning for every slot without a validate_ method on
# every turn; action_validate_slot_mappings (actions/feelings.py) only computes the feelings
# slots, so those lines would drown the combined `make run` log.
logging.getLogger("rasa_sdk.forms").setLevel(logging.ERROR)
