// The ring notice: the title and favicon carry the count of ringing chats, and an optional chime plays.

// The chime is made with the Web Audio API, so there is no audio file to serve; `waited` gives
// the time the customer has waited, which workspace-render.js shows and keeps current.

const SOUND_KEY = "cc-sandbox-workspace-sound";
const CHIME_EVERY_MS = 4000; // the chime repeats while the chat rings, as a phone would

/** "0:42", "12:05", "1:02:09": a waited time from milliseconds. */
export function waited(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** A two-note chime from oscillators; the AudioContext starts on the agent's own click. */
class Chime {
  constructor() {
    this.context = null;
    this.played = 0;
  }

  /** Create or wake the audio context (browsers allow it only after a user gesture). */
  unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return false;
    if (!this.context) this.context = new Context();
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
    return true;
  }

  play() {
    if (!this.unlock()) return false;
    const ctx = this.context;
    const start = ctx.currentTime + 0.02;
    // E5 then A5, soft attack and a short decay: noticeable, not shrill
    [[659.25, 0], [880, 0.18]].forEach(([frequency, offset]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = frequency;
      const t = start + offset;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.45);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.5);
    });
    this.played += 1;
    return true;
  }
}

/** A favicon with a red count badge, drawn on a canvas over the page's own icon. */
class FaviconBadge {
  constructor(link) {
    this.link = link;
    this.original = link?.getAttribute("href") || "";
    this.originalType = link?.getAttribute("type") || "";
    this.image = null;
    this.shown = 0;
    if (!link) return;
    const image = new Image();
    image.onload = () => { this.image = image; if (this.shown) this.draw(this.shown); };
    image.src = this.original;
  }

  show(count) {
    if (!this.link || count === this.shown) return;
    this.shown = count;
    if (!count) {
      this.link.setAttribute("href", this.original);
      if (this.originalType) this.link.setAttribute("type", this.originalType);
      delete this.link.dataset.badge;
      return;
    }
    this.draw(count);
  }

  draw(count) {
    const size = 64;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const g = canvas.getContext("2d");
    if (!g) return;
    if (this.image) {
      g.drawImage(this.image, 0, 0, size, size);
    } else {
      g.fillStyle = "#ff6a3b";
      g.beginPath();
      g.roundRect ? g.roundRect(0, 0, size, size, 14) : g.rect(0, 0, size, size);
      g.fill();
    }
    g.fillStyle = "#e02424";
    g.strokeStyle = "#ffffff";
    g.lineWidth = 4;
    g.beginPath();
    g.arc(size - 20, 20, 18, 0, Math.PI * 2);
    g.fill();
    g.stroke();
    g.fillStyle = "#ffffff";
    g.font = "bold 26px system-ui, sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(count > 9 ? "9+" : String(count), size - 20, 21);
    this.link.setAttribute("type", "image/png");
    this.link.setAttribute("href", canvas.toDataURL("image/png"));
    this.link.dataset.badge = String(count);
  }
}

/**
 * The ring notifier: `update(count)` after every incoming-requests poll. While `count` > 0 the
 * title reads "(N) Incoming chat · ...", the favicon shows N, and (if switched on) the chime
 * plays at once and then every few seconds until the ring stops.
 */
export class RingNotifier {
  constructor({ favicon, soundButton }) {
    this.baseTitle = document.title;
    this.badge = new FaviconBadge(favicon);
    this.chime = new Chime();
    this.button = soundButton;
    this.count = 0;
    this.timer = null;
    this.soundOn = localStorage.getItem(SOUND_KEY) === "on";
    this.showSound();
    soundButton?.addEventListener("click", () => this.toggleSound());
    // a saved "on" needs one gesture before audio may start: any click or key will do
    const wake = () => { if (this.soundOn) this.chime.unlock(); };
    document.addEventListener("pointerdown", wake, { once: true });
    document.addEventListener("keydown", wake, { once: true });
  }

  toggleSound() {
    this.soundOn = !this.soundOn;
    localStorage.setItem(SOUND_KEY, this.soundOn ? "on" : "off");
    if (this.soundOn) this.chime.unlock();
    this.showSound();
    if (this.soundOn && this.count) this.ding();
  }

  showSound() {
    if (!this.button) return;
    this.button.setAttribute("aria-pressed", String(this.soundOn));
    this.button.title = this.soundOn ? "Sound on: a chime plays while a chat rings (click to mute)"
      : "Sound off: click to hear a chime while a chat rings";
    const label = this.button.querySelector(".sound-label");
    if (label) label.textContent = this.soundOn ? "Sound on" : "Sound off";
  }

  ding() {
    if (this.chime.play() && this.button) this.button.dataset.played = String(this.chime.played);
  }

  update(count) {
    const was = this.count;
    this.count = count;
    document.title = count ? `(${count}) Incoming chat${count > 1 ? "s" : ""} · ${this.baseTitle}` : this.baseTitle;
    this.badge.show(count);
    if (count && (!was || count > was) && this.soundOn) this.ding();
    if (count && !this.timer) {
      this.timer = setInterval(() => { if (this.soundOn && this.count) this.ding(); }, CHIME_EVERY_MS);
    } else if (!count && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  stop() {
    this.update(0);
  }
}
