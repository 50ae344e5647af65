import { beforeEach, describe, expect, it } from 'vitest';
import { ReconnectingSocket, type ConnectionStatus, type SocketLike, type Timer } from './socket';
import type { ServerMessage } from './types';

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  drop() {
    this.onerror?.({});
    this.onclose?.({});
  }
  send(data: unknown) {
    this.onmessage?.({ data });
  }
}

class FakeTimer implements Timer {
  time = 0;
  tasks: { at: number; fn: () => void; id: number }[] = [];
  private id = 0;
  setTimeout(fn: () => void, ms: number) {
    this.tasks.push({ at: this.time + ms, fn, id: ++this.id });
    return this.id;
  }
  clearTimeout(handle: unknown) {
    this.tasks = this.tasks.filter((t) => t.id !== handle);
  }
  now() {
    return this.time;
  }
  /** Runs the next task; returns the delay it was scheduled with. */
  runNext(): number {
    this.tasks.sort((a, b) => a.at - b.at);
    const task = this.tasks.shift();
    if (!task) throw new Error('no task');
    const delay = task.at - this.time;
    this.time = task.at;
    task.fn();
    return delay;
  }
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

describe('ReconnectingSocket', () => {
  let timer: FakeTimer;
  let statuses: ConnectionStatus[];
  let messages: ServerMessage[];
  let opens: number;
  let socket: ReconnectingSocket;

  beforeEach(() => {
    FakeSocket.all = [];
    timer = new FakeTimer();
    statuses = [];
    messages = [];
    opens = 0;
    socket = new ReconnectingSocket(
      'ws://x/ws',
      { onMessage: (m) => messages.push(m), onStatus: (s) => statuses.push(s), onOpen: () => (opens += 1) },
      FakeSocket,
      timer,
    );
  });

  it('connects, reports open and calls onOpen (snapshot reload)', () => {
    socket.start();
    expect(last().url).toBe('ws://x/ws');
    expect(socket.getStatus().state).toBe('connecting');
    last().open();
    expect(socket.getStatus()).toMatchObject({ state: 'open', attempt: 0, everOpened: true });
    expect(opens).toBe(1);
  });

  it('delivers parsed messages and ignores garbage', () => {
    socket.start();
    last().open();
    last().send('{"type":"stats","at":1,"rates":{"orders.new":2},"clients":1,"dropped_total":4}');
    last().send('garbage');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ type: 'stats', dropped_total: 4 });
  });

  it('backs off 0.5 s doubling to 10 s while the server is down', () => {
    socket.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().drop();
      delays.push(timer.runNext());
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
    expect(FakeSocket.all).toHaveLength(8);
  });

  it('exposes retryAt for the countdown banner', () => {
    socket.start();
    last().drop();
    expect(socket.getStatus()).toMatchObject({ state: 'closed', attempt: 1, retryAt: 500 });
  });

  it('resets the backoff after a successful connection and reloads again', () => {
    socket.start();
    last().drop();
    timer.runNext();
    last().drop();
    timer.runNext(); // 1000
    last().open();
    expect(socket.getStatus().attempt).toBe(0);
    last().drop();
    expect(timer.runNext()).toBe(500);
    last().open();
    expect(opens).toBe(2);
  });

  it('retries when the constructor throws', () => {
    let fail = true;
    class Throwing extends FakeSocket {
      constructor(url: string) {
        super(url);
        if (fail) throw new Error('refused');
      }
    }
    const s = new ReconnectingSocket('ws://x/ws', { onMessage: () => undefined, onStatus: () => undefined }, Throwing, timer);
    s.start();
    expect(s.getStatus().state).toBe('closed');
    fail = false;
    expect(timer.runNext()).toBe(500);
    expect(s.getStatus().state).toBe('connecting');
  });

  it('stop() closes the socket and cancels the retry', () => {
    socket.start();
    last().drop();
    socket.stop();
    expect(timer.tasks).toHaveLength(0);
    socket.start();
    const current = last();
    socket.stop();
    expect(current.closed).toBe(true);
    expect(socket.getStatus().state).toBe('closed');
  });

  it('ignores events from a stale socket', () => {
    socket.start();
    const old = last();
    old.drop();
    timer.runNext();
    old.send('{"type":"events","events":[],"dropped":0}');
    old.onclose?.({});
    expect(messages).toHaveLength(0);
    expect(timer.tasks).toHaveLength(0);
    expect(statuses.length).toBeGreaterThan(0);
  });
});
