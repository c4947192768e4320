"""Scripts of this folder run with Alex (demo-agent) Online on support-human beside the bot."""
import pytest


@pytest.fixture
def cc_bot(cc_bot, alex):
    """The weather bot, and Alex on duty to take its escalations."""
    return cc_bot
