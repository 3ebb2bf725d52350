// Live channels: one reconnecting WebSocket per server channel (/ws/tasks, /ws/metrics, /ws/alerts,
// /ws/predictions), shared by every page that listens, with a status the header shows.

import { apiKey } from './session.js';
import { emit } from './events.js';

const MAX_BACKOFF_MS = 30000;
const CLOSE_GRACE_MS = 3000;

/** One server channel. Status: 'idle' | 'connecting' | 'live' | 'retrying'. */
class LiveChannel {
  constructor(name) {
    this.name = name;
    this.status = 'idle';
    this.listeners = new Set();
    this.socket = null;
    this.attempt = 0;
    this.retryAt = 0;
    this.retryTimer = 0;
    this.closeTimer = 0;
    this.frames = 0;
    this.dropped = 0;
    this.lastFrameAt = 0;
    this.instance = '';
    this.replayLeft = 0;
  }

  /**
   * Calls `fn(event, { replayed })` for every event (`replayed`: one of the recent events the server sends right after
   * connecting, not a new one); opens the socket on the first listener. Returns an unsubscribe function.
   */
  subscribe(fn) {
    this.listeners.add(fn);
    clearTimeout(this.closeTimer);
    if (this.status === 'idle') this.connect();
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) {
        clearTimeout(this.closeTimer);
        this.closeTimer = setTimeout(() => { if (this.listeners.size === 0) this.close(); }, CLOSE_GRACE_MS);
      }
    };
  }

  /** The WebSocket address of this channel on the page's own origin (never with a key in it). */
  address() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws/${this.name}`;
  }

  /** Subprotocols offered: `stockcast`, plus the key as `bearer.<key>` (keys never go in URLs, which browsers print). */
  protocols() {
    const key = apiKey();
    return key ? ['stockcast', `bearer.${key}`] : ['stockcast'];
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.setStatus('connecting');
    let socket;
    try {
      socket = new WebSocket(this.address(), this.protocols());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => { this.attempt = 0; this.setStatus('live'); };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.listeners.size > 0) this.scheduleRetry(); else this.setStatus('idle');
    };
    socket.onerror = () => { /* onclose follows and schedules the retry */ };
  }

  receive(text) {
    let event;
    try { event = JSON.parse(text); } catch { return; }
    this.frames += 1;
    this.lastFrameAt = Date.now();
    if (event.type === 'hello') {
      this.instance = event.instance || '';
      this.replayLeft = Number(event.replay) || 0;
      emit('live-status', this.info());
      return;
    }
    if (event.type === 'dropped') { this.dropped = event.total ?? this.dropped + (event.count || 0); emit('live-status', this.info()); return; }
    const meta = { replayed: this.replayLeft > 0 };
    if (this.replayLeft > 0) this.replayLeft -= 1;
    for (const fn of [...this.listeners]) {
      try { fn(event, meta); } catch (err) { console.warn(`listener of /ws/${this.name} failed`, err); }
    }
  }

  scheduleRetry() {
    this.attempt += 1;
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.retryAt = Date.now() + delay;
    this.setStatus('retrying');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnects now (e.g. after the API key changed, or the user pressed "retry"). */
  reconnect() {
    if (this.listeners.size === 0) return;
    const old = this.socket;
    this.socket = null;
    if (old) old.close();
    this.attempt = 0;
    this.connect();
  }

  close() {
    clearTimeout(this.retryTimer);
    const old = this.socket;
    this.socket = null;
    if (old) old.close();
    this.setStatus('idle');
  }

  setStatus(status) {
    this.status = status;
    emit('live-status', this.info());
  }

  /** A snapshot for status displays. */
  info() {
    return {
      name: this.name, status: this.status, retryAt: this.retryAt, attempt: this.attempt,
      frames: this.frames, dropped: this.dropped, instance: this.instance,
    };
  }
}

const channels = new Map();

/** The shared channel `name` ('tasks', 'metrics', 'alerts', 'predictions'). */
export function channel(name) {
  if (!channels.has(name)) channels.set(name, new LiveChannel(name));
  return channels.get(name);
}

/** Snapshots of every channel that is in use. */
export function channelInfos() {
  return [...channels.values()].filter((c) => c.status !== 'idle').map((c) => c.info());
}

/** Reconnects every open channel (after a key change). */
export function reconnectAll() {
  for (const c of channels.values()) c.reconnect();
}
