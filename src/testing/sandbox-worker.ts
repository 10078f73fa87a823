/**
 * The code of a sealed function's worker thread (see function-sandbox.ts), as the source text the
 * worker is started from (`new Worker(source, { eval: true })`).
 *
 * It is plain JavaScript in a string, not a module of its own, so that one file serves every way the
 * toolkit runs: compiled by jsii into lib/, transpiled by ts-jest or ts-node from src/, and bundled by
 * esbuild into the command-line tool. test/testing/function-sandbox.test.ts runs every path of it.
 *
 * A worker starts blank, with an empty environment, and waits; parent → worker `init {env, code,
 * exportName, offlineSdk}` gives it a function's environment and code. Protocol (worker → parent):
 * `ready` | `load-failed {error}` once the code is loaded (module scope runs here, at the cold start); `result {id, json | error | unserializable}` per invocation; `log {level,
 * text, requestId}` for each console line; `sdk {id, pkg, command, input}` for a call to the offline
 * services (library bundles only); `crash {kind, error}` for an uncaught exception or rejection;
 * `exit {code}` when the code calls `process.exit`.
 * Parent → worker: `invoke {id, event, context}`; `sdk-answer {id, result | error}`.
 */
export const SANDBOX_WORKER_SOURCE = String.raw`'use strict';
const { parentPort } = require('worker_threads');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { createRequire } = require('module');

const post = message => parentPort.postMessage(message);

// The environment of the process this thread runs in (the developer's, credentials and all) is not
// read through /proc: the code sees its own sealed environment in process.env, and nothing else.
const ENVIRON = /^\/proc\/(self|thread-self|\d+)(\/task\/\d+)?\/(environ|mem)$/;
function refusedPath(p) {
  if (typeof p !== 'string' && !(p instanceof URL) && !Buffer.isBuffer(p)) return false;
  const text = p instanceof URL ? p.pathname : String(p);
  const candidates = [path.resolve(text)];
  try {
    candidates.push(fs.realpathSync(text));
  } catch {
    // not there: nothing more to resolve
  }
  return candidates.some(c => ENVIRON.test(c));
}
function denied(p) {
  return Object.assign(new Error('EACCES: permission denied, open \'' + String(p) + '\' (a sealed function does not read the environment of the process it runs in)'),
    { code: 'EACCES', errno: -13, syscall: 'open', path: String(p) });
}
for (const [owner, names] of [[fs, ['readFileSync', 'openSync', 'createReadStream', 'copyFileSync', 'cpSync', 'readFile', 'open', 'copyFile', 'cp']], [fs.promises, ['readFile', 'open', 'copyFile', 'cp']]]) {
  for (const name of names) {
    const original = owner[name];
    if (typeof original !== 'function') continue;
    owner[name] = function (p, ...rest) {
      if (refusedPath(p)) {
        const error = denied(p);
        if (owner === fs.promises) return Promise.reject(error);
        const callback = rest[rest.length - 1];
        if (!name.endsWith('Sync') && name !== 'createReadStream' && typeof callback === 'function') return void process.nextTick(callback, error);
        throw error;
      }
      return original.call(this, p, ...rest);
    };
  }
}

// The developer's home never shows: the node:os answers agree with the sealed HOME.
const userInfo = os.userInfo;
os.homedir = () => process.env.HOME;
os.userInfo = options => Object.assign(userInfo(options), { homedir: process.env.HOME });

function serializeError(e) {
  if (e instanceof Error || (e && typeof e === 'object' && typeof e.message === 'string')) {
    const props = {};
    for (const key of Object.keys(e)) {
      try {
        props[key] = JSON.parse(JSON.stringify(e[key]));
      } catch {
        // a property that is not JSON stays behind
      }
    }
    return { isError: true, name: String(e.name || 'Error'), message: String(e.message), stack: String(e.stack || ''), props };
  }
  try {
    return { isError: false, value: structuredClone(e) };
  } catch {
    return { isError: false, value: String(e) };
  }
}

function errorFrom(s) {
  return Object.assign(new Error(s.message), s.props, { name: s.name });
}

// What the code prints is the run's, not the test runner's console.
let requestId;
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[level] = (...args) => post({ type: 'log', level, text: util.format(...args), requestId });
}

// process.exit ends this thread only; the parent stops the run and names the function.
const exit = process.exit.bind(process);
let crashing = false;
let exitPosted = false;
/** Ends the thread for what the code called (told to the parent once), as process.exit does. */
function endFor(called) {
  if (!crashing && !exitPosted) post({ type: 'exit', code: called });
  exitPosted = true;
  return exit(1);
}
process.exit = code => {
  if (!crashing) post({ type: 'exit', code: code === undefined ? process.exitCode ?? 0 : code });
  exitPosted = true;
  exit(code);
};
// A signal to the process this thread runs in (the test runner, the local endpoint), or process.abort,
// would end more than the function: refused, and the thread ends as process.exit ends it.
const ownProcess = target => target === process.pid || target === process.ppid || target === 0 || target === -1 || target === -process.pid;
const kill = process.kill.bind(process);
process.kill = (pid, signal) => {
  const target = Number(pid);
  if (ownProcess(target)) {
    return endFor('process.kill(' + target + ', ' + JSON.stringify(signal === undefined ? 'SIGTERM' : signal) + ')');
  }
  return kill(pid, signal);
};
process.abort = () => endFor('process.abort()');
// The lower-level doors to the same: process._kill (what process.kill calls), process.reallyExit (what
// process.exit calls), and the bindings they come from.
const rawKill = process._kill;
process._kill = (pid, signal) => {
  if (ownProcess(Number(pid))) {
    return endFor('process._kill(' + Number(pid) + ', ' + JSON.stringify(signal) + ')');
  }
  return rawKill.call(process, pid, signal);
};
const reallyExit = process.reallyExit;
process.reallyExit = code => {
  if (!crashing && !exitPosted) post({ type: 'exit', code: 'process.reallyExit(' + code + ')' });
  exitPosted = true;
  return reallyExit.call(process, code);
};
for (const name of ['binding', '_linkedBinding']) {
  const original = process[name];
  if (typeof original !== 'function') continue;
  process[name] = function (module) {
    if (['process_methods', 'signal_wrap', 'spawn_sync', 'process_wrap'].includes(String(module))) {
      throw Object.assign(new Error('process.' + name + "('" + module + "') is not available to a sealed function"), { code: 'ERR_ACCESS_DENIED' });
    }
    return original.apply(this, arguments);
  };
}
function crash(kind, e) {
  crashing = true;
  post({ type: 'crash', kind, error: serializeError(e) });
  exit(1);
}
process.on('uncaughtException', e => crash('exception', e));
process.on('unhandledRejection', e => crash('rejection', e));

// While an invocation runs, the thread lives only as long as the code has something pending: a
// handler whose promise can never settle lets it end, and the parent reports the function's timeout.
let invoking = false;
let sdkPending = 0;
const holdPort = () => (!invoking || sdkPending > 0 ? parentPort.ref() : parentPort.unref());

// The offline AWS services, for the library's own bundles: each SDK call goes to the parent.
let nextSdkCall = 0;
const sdkCalls = new Map();
function sdkCall(pkg, command, input) {
  const id = ++nextSdkCall;
  sdkPending++;
  holdPort();
  return new Promise((resolve, reject) => {
    sdkCalls.set(id, { resolve, reject });
    post({ type: 'sdk', id, pkg, command, input });
  });
}
function offlineModule(pkg, shape) {
  const exports = {};
  for (const name of shape.commands) {
    exports[name] = class {
      constructor(input) {
        this.input = input;
      }
      static get commandName() {
        return name;
      }
    };
  }
  exports[shape.client] = class {
    send(command) {
      return sdkCall(pkg, command && command.constructor && command.constructor.commandName, command && command.input);
    }
    destroy() {}
  };
  return new Proxy(exports, {
    get(target, name) {
      if (typeof name === 'string' && !(name in target) && /^[A-Z]\w*Command$/.test(name)) {
        const error = new Error('offline ' + shape.client + ': ' + name + ' is not implemented (it offers ' + shape.commands.join(', ') + ')');
        error.name = 'OfflineServiceError';
        throw error;
      }
      return target[name];
    },
  });
}

function load({ code, offlineSdk }) {
  const file = code.file || path.join(process.cwd(), 'index.js');
  const requireFromFile = createRequire(file);
  const offline = new Map();
  const requireOffline = id => {
    if (!offlineSdk || !offlineSdk[id]) return requireFromFile(id);
    if (!offline.has(id)) offline.set(id, offlineModule(id, offlineSdk[id]));
    return offline.get(id);
  };
  if (code.file && !offlineSdk) return require(code.file);
  const module = { exports: {} };
  const source = code.inline !== undefined ? code.inline : fs.readFileSync(code.file, 'utf8') + '\n//# sourceURL=' + code.file;
  const run = new Function('exports', 'require', 'module', '__filename', '__dirname', source);
  run.call(module.exports, module.exports, requireOffline, module, file, path.dirname(file));
  return module.exports;
}

// A worker starts blank (a spare, ready before it is needed); 'init' makes it a function's: its
// environment replaced by the function's, then its code loaded (the cold start).
let handler;
function init(message) {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, message.env);
  try {
    const exported = load(message);
    handler = exported && exported[message.exportName];
    if (typeof handler !== 'function') {
      post({ type: 'load-failed', error: { isError: true, name: 'Runtime.HandlerNotFound', message: 'its code has no function \'' + message.exportName + '\' to call', stack: '', props: {} } });
    } else {
      post({ type: 'ready' });
    }
  } catch (e) {
    post({ type: 'load-failed', error: serializeError(e) });
  }
}

parentPort.on('message', message => {
  if (message.type === 'init') return init(message);
  if (message.type === 'sdk-answer') {
    const call = sdkCalls.get(message.id);
    sdkCalls.delete(message.id);
    sdkPending--;
    holdPort();
    if (message.error) call.reject(errorFrom(message.error));
    else call.resolve(message.result);
    return;
  }
  if (message.type !== 'invoke') return;
  const { id, event, context } = message;
  requestId = context.awsRequestId;
  invoking = true;
  holdPort();
  const deadline = Date.now() + context.timeoutMs;
  const lambdaContext = {
    functionName: context.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    logGroupName: '/aws/lambda/' + context.functionName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const done = answer => {
    invoking = false;
    holdPort();
    post(Object.assign({ type: 'result', id }, answer));
  };
  Promise.resolve()
    .then(() => handler(JSON.parse(event), lambdaContext))
    .then(result => {
      let json;
      try {
        json = JSON.stringify(result === undefined ? null : result);
      } catch {
        return done({ unserializable: true });
      }
      done({ json });
    }, e => done({ error: serializeError(e) }));
});
`;
