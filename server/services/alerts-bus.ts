import { EventEmitter } from 'node:events';

/**
 * In-process "this user's alerts changed" signal, feeding the push socket.
 * Other instances' changes reach their clients through the socket's periodic
 * check, so this bus never needs to cross processes.
 */
export function createAlertsBus() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit(userId: string) {
      emitter.emit('changed', userId);
    },
    subscribe(listener: (userId: string) => void): () => void {
      emitter.on('changed', listener);
      return () => emitter.off('changed', listener);
    },
  };
}
export type AlertsBus = ReturnType<typeof createAlertsBus>;
