"""`python -m weather_bot --domain api.liveperson.net --account ID --user NAME` (password: $LP_PASSWORD)."""
import argparse
import logging
import os
import signal

from .bot import Settings, WeatherBot


def main() -> None:
    """Run the bot until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="weather_bot", description=__doc__)
    parser.add_argument("--domain", required=True, help="CSDS domain, e.g. api.liveperson.net")
    parser.add_argument("--account", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--scheme", default="https")
    parser.add_argument("--human-skill", default="support-human")
    parser.add_argument("--poll", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    bot = WeatherBot(Settings(domain=args.domain, account=args.account, username=args.user,
                              password=os.environ["LP_PASSWORD"], scheme=args.scheme,
                              human_skill=args.human_skill, poll=args.poll))
    signal.signal(signal.SIGINT, lambda *_: bot.stop())
    bot.run()


if __name__ == "__main__":
    main()
