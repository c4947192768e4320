"""A weather bot for LivePerson live chat (Chat Agent API), written with `requests` only."""
from .bot import ApiError, Settings, WeatherBot, forecast, weather_card

__all__ = ["ApiError", "Settings", "WeatherBot", "forecast", "weather_card"]
