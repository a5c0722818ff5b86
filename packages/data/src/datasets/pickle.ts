/**
 * A restricted reader of Python pickles: enough for CIFAR-10's batches (Python 2 cPickle protocol 2,
 * as published, and the same data re-saved by Python 3 with protocols 2 to 5) and nothing more. It
 * never runs code: the only globals it knows are numpy's array and dtype reconstructors and
 * `_codecs.encode`, built as plain data; any other global is refused.
 */

/** A numpy array read from a pickle: its dtype string (e.g. `'|u1'`), shape and raw bytes. */
export interface PickledArray {
  readonly kind: 'ndarray'
  dtype: string
  shape: number[]
  data: Uint8Array
}

type Value = unknown

const latin1 = (b: Uint8Array) => {
  let s = ''
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192))
  return s
}

/** A key or string: text as is, Python 2 str / bytes decoded as Latin-1 (as `encoding='latin1'`). */
export function asString(v: Value): string | undefined {
  if (typeof v === 'string') return v
  if (v instanceof Uint8Array) return latin1(v)
  return undefined
}

const KNOWN_GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  '_codecs.encode',
])

class Global {
  constructor(readonly name: string) {}
}

const MARK = Symbol('mark')

/** Reads one pickle; throws an Error saying what is not supported or broken. */
export function unpickle(bytes: Uint8Array): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const stack: Value[] = []
  const memo = new Map<number, Value>()
  const utf8 = new TextDecoder()
  let i = 0
  const need = (n: number) => {
    if (i + n > bytes.length) throw new Error(`truncated at byte ${i}`)
  }
  const advance = (n: number) => {
    need(n)
    i += n
    return i - n
  }
  const u8 = () => bytes[advance(1)]!
  const u16 = () => view.getUint16(advance(2), true)
  const i32 = () => view.getInt32(advance(4), true)
  const u32 = () => view.getUint32(advance(4), true)
  const u64 = () => {
    const lo = u32()
    const hi = u32()
    if (hi > 0x1fffff) throw new Error('length over 2^53')
    return hi * 2 ** 32 + lo
  }
  const take = (n: number) => {
    const at = advance(n)
    return bytes.subarray(at, at + n)
  }
  const line = () => {
    const end = bytes.indexOf(10, i)
    if (end < 0) throw new Error('truncated global name')
    const s = latin1(bytes.subarray(i, end))
    i = end + 1
    return s
  }
  const popMark = (): Value[] => {
    const k = stack.lastIndexOf(MARK)
    if (k < 0) throw new Error('no MARK on the stack')
    const items = stack.splice(k + 1)
    stack.pop()
    return items
  }
  const pop = () => {
    if (stack.length === 0) throw new Error('stack underflow')
    return stack.pop()
  }
  const top = () => stack[stack.length - 1]
  const global = (module: string, name: string) => {
    const full = `${module}.${name}`
    if (!KNOWN_GLOBALS.has(full))
      throw new Error(`refusing the global ${full} (only numpy arrays are read)`)
    return new Global(full)
  }
  const call = (fn: Value, args: Value): Value => {
    if (!(fn instanceof Global) || !Array.isArray(args))
      throw new Error('REDUCE of something that is not a known global')
    if (fn.name.endsWith('_reconstruct'))
      return {
        kind: 'ndarray',
        dtype: '|u1',
        shape: [],
        data: new Uint8Array(0),
      } satisfies PickledArray
    if (fn.name === 'numpy.dtype') return { kind: 'dtype', str: asString(args[0]) }
    if (fn.name === '_codecs.encode') {
      const s = asString(args[0]) ?? ''
      return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)
    }
    if (fn.name.endsWith('_frombuffer')) {
      const [buf, dtype, shape] = args as [Uint8Array, { str?: string }, number[]]
      return {
        kind: 'ndarray',
        dtype: dtype?.str ?? '?',
        shape: [...shape],
        data: buf,
      } satisfies PickledArray
    }
    throw new Error(`cannot call ${fn.name}`)
  }
  for (;;) {
    const op = u8()
    switch (op) {
      case 0x80:
        u8()
        break // PROTO
      case 0x95:
        u64()
        break // FRAME
      case 0x2e:
        return pop() // STOP
      case 0x7d:
        stack.push(new Map())
        break // EMPTY_DICT
      case 0x5d:
        stack.push([])
        break // EMPTY_LIST
      case 0x29:
        stack.push([])
        break // EMPTY_TUPLE
      case 0x28:
        stack.push(MARK)
        break // MARK
      case 0x71:
        memo.set(u8(), top())
        break // BINPUT
      case 0x72:
        memo.set(u32(), top())
        break // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top())
        break // MEMOIZE
      case 0x68:
        stack.push(memo.get(u8()))
        break // BINGET
      case 0x6a:
        stack.push(memo.get(u32()))
        break // LONG_BINGET
      case 0x55:
        stack.push(take(u8()))
        break // SHORT_BINSTRING (Python 2 str)
      case 0x54:
        stack.push(take(i32()))
        break // BINSTRING
      case 0x43:
        stack.push(take(u8()))
        break // SHORT_BINBYTES
      case 0x42:
        stack.push(take(u32()))
        break // BINBYTES
      case 0x8e:
        stack.push(take(u64()))
        break // BINBYTES8
      case 0x96:
        stack.push(take(u64()))
        break // BYTEARRAY8
      case 0x58:
        stack.push(utf8.decode(take(u32())))
        break // BINUNICODE
      case 0x8c:
        stack.push(utf8.decode(take(u8())))
        break // SHORT_BINUNICODE
      case 0x8d:
        stack.push(utf8.decode(take(u64())))
        break // BINUNICODE8
      case 0x4a:
        stack.push(i32())
        break // BININT
      case 0x4b:
        stack.push(u8())
        break // BININT1
      case 0x4d:
        stack.push(u16())
        break // BININT2
      case 0x8a: {
        // LONG1
        const b = take(u8())
        let v = 0
        for (let k = b.length - 1; k >= 0; k--) v = v * 256 + b[k]!
        if (b.length > 0 && b[b.length - 1]! & 0x80) v -= 2 ** (8 * b.length)
        stack.push(v)
        break
      }
      case 0x47:
        stack.push(view.getFloat64(advance(8), false))
        break // BINFLOAT
      case 0x4e:
        stack.push(null)
        break // NONE
      case 0x88:
        stack.push(true)
        break // NEWTRUE
      case 0x89:
        stack.push(false)
        break // NEWFALSE
      case 0x74:
        stack.push(popMark())
        break // TUPLE
      case 0x85:
        stack.push([pop()])
        break // TUPLE1
      case 0x86: {
        const b = pop()
        stack.push([pop(), b])
        break
      } // TUPLE2
      case 0x87: {
        const c = pop()
        const b = pop()
        stack.push([pop(), b, c])
        break
      } // TUPLE3
      case 0x6c:
        stack.push(popMark())
        break // LIST
      case 0x61: {
        const v = pop()
        ;(top() as Value[]).push(v)
        break
      } // APPEND
      case 0x65: {
        const items = popMark()
        ;(top() as Value[]).push(...items)
        break
      } // APPENDS
      case 0x64: {
        // DICT
        const items = popMark()
        const m = new Map<string, Value>()
        for (let k = 0; k < items.length; k += 2)
          m.set(asString(items[k]) ?? String(items[k]), items[k + 1])
        stack.push(m)
        break
      }
      case 0x73: {
        const v = pop()
        const k = pop()
        ;(top() as Map<string, Value>).set(asString(k) ?? String(k), v)
        break
      } // SETITEM
      case 0x75: {
        // SETITEMS
        const items = popMark()
        const m = top() as Map<string, Value>
        for (let k = 0; k < items.length; k += 2)
          m.set(asString(items[k]) ?? String(items[k]), items[k + 1])
        break
      }
      case 0x63: {
        const module = line()
        stack.push(global(module, line()))
        break
      } // GLOBAL
      case 0x93: {
        const name = asString(pop())!
        stack.push(global(asString(pop())!, name))
        break
      } // STACK_GLOBAL
      case 0x52: {
        const args = pop()
        stack.push(call(pop(), args))
        break
      } // REDUCE
      case 0x62: {
        // BUILD
        const state = pop() as Value[]
        const obj = top() as { kind?: string }
        if (obj?.kind === 'ndarray' && Array.isArray(state)) {
          // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata))
          const [, shape, dtype, fortran, raw] = state as [
            number,
            number[],
            { str?: string },
            boolean,
            Value,
          ]
          if (fortran) throw new Error('Fortran-ordered arrays are not supported')
          const a = obj as PickledArray
          a.shape = [...shape]
          a.dtype = dtype?.str ?? '?'
          a.data =
            raw instanceof Uint8Array
              ? raw
              : Uint8Array.from(asString(raw) ?? '', (c) => c.charCodeAt(0))
        }
        break
      }
      default:
        throw new Error(`unsupported pickle opcode 0x${op.toString(16)} at byte ${i - 1}`)
    }
  }
}
