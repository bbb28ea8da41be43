/**
 * A bidi call on a Connect `Transport`, without the promise client's per-message async
 * generator: the call starts now (so Data is opened before Control, the order the connector
 * expects) and the returned iterator hands out the transport's own responses.
 * @module
 */
import type { DescMessage, DescMethodBiDiStreaming, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { StreamResponse, Transport } from "@connectrpc/connect";

/** Opens `method` on `transport` with `requests`; iterate the result for the responses. */
export function openBidi<I extends DescMessage, O extends DescMessage>(
  transport: Transport,
  method: DescMethodBiDiStreaming<I, O>,
  requests: AsyncIterable<MessageInitShape<I>>,
  options: { readonly headers: Record<string, string>; readonly signal: AbortSignal },
): AsyncIterator<MessageShape<O>> {
  const response: Promise<StreamResponse<I, O>> = transport.stream(
    method,
    options.signal,
    undefined,
    options.headers,
    requests,
  );
  // Rejections surface through next(); a call nobody reads must not be an unhandled rejection.
  response.catch(() => {});
  let it: AsyncIterator<MessageShape<O>> | undefined;
  return {
    next(): Promise<IteratorResult<MessageShape<O>>> {
      if (it !== undefined) return it.next();
      return response.then((r) => {
        it ??= r.message[Symbol.asyncIterator]();
        return it.next();
      });
    },
    return(): Promise<IteratorResult<MessageShape<O>>> {
      const done: IteratorResult<MessageShape<O>> = { done: true, value: undefined };
      if (it?.return !== undefined)
        return it.return().then(
          () => done,
          () => done,
        );
      return Promise.resolve(done);
    },
  };
}
