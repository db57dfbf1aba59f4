"""Setup help for the product families in settings/setup_guides.yml."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import StoreAction, Turn, button


class ActionSetupHelp(StoreAction):
    action_name = "action_setup_help"
    failure_task = "find the setup steps"

    async def act(self, turn: Turn) -> list[EventType]:
        guides = turn.services.guides
        item = turn.slot("item")
        guide = guides.find(item)
        if guide is not None:
            steps = "\n".join(f"{n}. {step}" for n, step in enumerate(guide.steps, start=1))
            turn.say("utter_setup_steps", product=guide.title, steps=steps)
            return []
        buttons = [button(g.title, '/setup_help{"item":"' + g.aliases[0] + '"}') for g in guides.guides]
        if item:
            turn.say("utter_setup_unknown_product", buttons=buttons, item=str(item))
        else:
            turn.say("utter_setup_which_product", buttons=buttons)
        return []
