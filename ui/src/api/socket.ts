// Reconnecting WebSocket client. The WebSocket constructor and the timer are injected so the
// reconnect/backoff behaviour is unit-tested without a browser or a server.
import type { ServerMessage } from './types';
import { backoffDelay } from '../shaping/backoff';
import { parseServerMessage } from '../shaping/messages';

/** The part of the browser WebSocket this client uses. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
}

export type SocketCtor = new (url: string) => SocketLike;

export interface Timer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts since the last successful connection. */
  attempt: number;
  /** When the next attempt is scheduled (epoch ms), while closed. */
  retryAt: number | null;
  /** True once the socket has been open at least once. */
  everOpened: boolean;
}

export interface SocketHandlers {
  onMessage(message: ServerMessage): void;
  onStatus(status: ConnectionStatus): void;
  /** Called after every successful (re)connect: reload the HTTP snapshots here. */
  onOpen?(): void;
}

export const browserTimer: Timer = {
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
  now: () => Date.now(),
};

export class ReconnectingSocket {
  private socket: SocketLike | null = null;
  private retryHandle: unknown = null;
  private stopped = true;
  private status: ConnectionStatus = { state: 'closed', attempt: 0, retryAt: null, everOpened: false };

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
    private readonly Ctor: SocketCtor,
    private readonly timer: Timer,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryHandle !== null) this.timer.clearTimeout(this.retryHandle);
    this.retryHandle = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
      socket.close();
    }
    this.setStatus({ state: 'closed', retryAt: null });
  }

  getStatus(): ConnectionStatus {
    return this.status;
  }

  private setStatus(patch: Partial<ConnectionStatus>): void {
    this.status = { ...this.status, ...patch };
    this.handlers.onStatus(this.status);
  }

  private connect(): void {
    this.retryHandle = null;
    if (this.stopped) return;
    this.setStatus({ state: 'connecting', retryAt: null });
    let socket: SocketLike;
    try {
      socket = new this.Ctor(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setStatus({ state: 'open', attempt: 0, retryAt: null, everOpened: true });
      this.handlers.onOpen?.();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      const message = parseServerMessage(ev.data);
      if (message) this.handlers.onMessage(message);
    };
    socket.onerror = () => {
      // Browsers always follow an error with a close event; reconnecting happens there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryHandle !== null) return;
    const delay = backoffDelay(this.status.attempt);
    const retryAt = this.timer.now() + delay;
    this.setStatus({ state: 'closed', attempt: this.status.attempt + 1, retryAt });
    this.retryHandle = this.timer.setTimeout(() => this.connect(), delay);
  }
}
