import type { IncomingMessage } from 'node:http';

/**
 * Request bodies read straight from Node's stream, so that a refusal can stop
 * keeping a body without stopping reading it. After a 413, most clients are
 * still writing their body and read the answer only afterwards: hanging up at
 * once fails their next write (EPIPE, or a reset that can take the unread answer
 * with it). So the rest of the body is read and thrown away, and the connection
 * is closed only when it passes DISCARD_LIMITS; a body that ends in time leaves
 * the connection open as HTTP/1.1 keeps it. Nothing is kept: memory stays flat.
 * (@hono/node-server's own clean-up of unread bodies may close it sooner, half
 * a second after the answer.)
 */
export const DISCARD_LIMITS = { ms: 1_000, bytes: 8 * 1024 * 1024 } as const;

export function discardRestOfBody(incoming: IncomingMessage | undefined, limits: { ms: number; bytes: number } = DISCARD_LIMITS): void {
  if (!incoming || incoming.readableEnded || incoming.destroyed) return;
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    incoming.off('data', onData);
    incoming.off('end', stop);
    incoming.off('close', stop);
  };
  const hangUp = () => {
    stop();
    incoming.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > limits.bytes) hangUp();
  };
  const timer = setTimeout(hangUp, limits.ms);
  timer.unref();
  incoming.on('data', onData);
  incoming.on('end', stop);
  incoming.on('close', stop);
  incoming.resume();
}

/**
 * A body of unknown length (chunked), kept up to `maxSize` bytes; `null` as soon
 * as it passes that, with the stream paused for discardRestOfBody. (Hono's
 * bodyLimit reads through a web stream that holds the rest of the body unread.)
 */
export function readBodyUpTo(incoming: IncomingMessage, maxSize: number): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxSize) return void chunks.push(chunk);
      incoming.pause();
      settle(() => resolve(null));
    };
    const onEnd = () => settle(() => resolve(new Uint8Array(Buffer.concat(chunks))));
    const onError = (err: Error) => settle(() => reject(err));
    const onClose = () => settle(() => reject(new Error('The client went away while sending its request body.')));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
