// What every answered call records for the metrics and the log line: the answer and how long it took.
import type { HookResponse } from '../../../reconciler/model/resource.js';
import type { EdgeCall } from './call.js';

export type Finish = (call: EdgeCall, response: HookResponse, quick: boolean) => HookResponse;

export function finisher(now: () => number): Finish {
  return (call, response, quick) => {
    call.answer = { response, seconds: (now() - call.started) / 1000, quick };
    return response;
  };
}
