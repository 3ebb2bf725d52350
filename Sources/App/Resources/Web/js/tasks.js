// Background tasks (training, forecasts): one normalised shape for REST rows and /ws/tasks events, and a
// watcher that follows one task live with a polling fallback when the socket is down or quiet.

import { channel } from './live.js';
import { get, seg } from './api.js';

const CELERY = { PENDING: 'pending', STARTED: 'running', PROGRESS: 'running', SUCCESS: 'completed', FAILURE: 'failed', REVOKED: 'cancelled' };
const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** The lower-case lifecycle state of a task row or event. */
export function taskState(t) {
  if (t.state) return String(t.state).toLowerCase();
  const s = String(t.status || '');
  return CELERY[s] || s.toLowerCase() || 'pending';
}

/** True when a state is final. */
export const isFinal = (state) => FINAL.has(state);

/** A task row or event in one shape. */
export function normalizeTask(t) {
  const state = taskState(t);
  let points = t.points;
  if (!points && Array.isArray(t.result)) points = t.result;
  if (!points && t.result && Array.isArray(t.result.predictions)) points = t.result.predictions;
  return {
    id: t.task_id, kind: t.kind || '', state, progress: typeof t.progress === 'number' ? t.progress : (state === 'completed' ? 1 : 0),
    message: t.message || '', error: t.error || '', modelId: t.model_id ?? null, ticker: t.ticker || '', exchange: t.exchange || '',
    points: points || null, result: t.result ?? null, createdAt: t.created_at || '', startedAt: t.started_at || '',
    finishedAt: t.finished_at || '', updatedAt: t.updated_at || t.emitted_at || t.finished_at || t.started_at || t.created_at || '',
  };
}

/** The REST address that reports a task with its partial results. */
function statusPath(id, kind) {
  if (kind === 'forecast') return `/api/predict/future/partial_status/${seg(id)}`;
  if (kind === 'train') return `/api/train/status/${seg(id)}`;
  return `/api/tasks/${seg(id)}`;
}

/**
 * Follows task `id` (kind 'train' | 'forecast'): `onUpdate(task)` on every change, until a final state.
 * Live from /ws/tasks; polls REST every `pollMs` while the socket is not live or has said nothing for 3 s.
 * Returns a function that stops watching.
 */
export function watchTask(id, kind, onUpdate, { pollMs = 1000 } = {}) {
  const live = channel('tasks');
  let stopped = false;
  let lastEventAt = 0;
  let lastTask = null;
  let polling = false;
  let timer = 0;

  const rank = (s) => (isFinal(s) ? 2 : s === 'running' ? 1 : 0);
  const deliver = (task) => {
    if (stopped) return;
    // a poll answered after a newer event must not move the task back (progress and points only grow)
    if (lastTask && (rank(task.state) < rank(lastTask.state)
      || (rank(task.state) === rank(lastTask.state) && task.progress < lastTask.progress))) return;
    if (lastTask && task.points && lastTask.points && task.points.length < lastTask.points.length && !isFinal(task.state)) return;
    if (task.kind === '' && kind) task.kind = kind;
    if (lastTask && !task.points && lastTask.points) task.points = lastTask.points;
    lastTask = task;
    onUpdate(task);
    if (isFinal(task.state)) stop();
  };

  const unsubscribe = live.subscribe((event) => {
    if (event.type !== 'task' || event.task_id !== id) return;
    lastEventAt = Date.now();
    deliver(normalizeTask(event));
  });

  const poll = async () => {
    if (stopped || polling) return;
    const quiet = Date.now() - lastEventAt > 3000;
    if (live.status === 'live' && !quiet && lastTask) return;
    polling = true;
    try {
      const row = await get(statusPath(id, kind));
      if (!stopped) { lastEventAt = live.status === 'live' ? Date.now() : 0; deliver(normalizeTask({ task_id: id, kind, ...row })); }
    } catch (err) {
      if (!stopped && err.status === 404) { stopped = true; onUpdate({ id, kind, state: 'failed', progress: 0, message: err.detail, points: null }); }
    } finally {
      polling = false;
    }
  };

  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    unsubscribe();
  }

  poll();
  timer = setInterval(poll, pollMs);
  return stop;
}
