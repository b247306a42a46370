"""Writes the small crafted test files next to this script (needs only numpy, not torch).

Run from this directory: python3 make_crafted.py

The torch-like checkpoints are pickled by Python's own pickle module, with stand-in `torch` modules
registered in sys.modules so the globals come out exactly as torch.save writes them
(`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`, ...). That exercises the Java unpickler on
genuine pickle output at protocols 2 to 5 (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE ...), on
strided views, shared storages and big-endian data, none of which the real fixture contains.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def fake_module(name, **attrs):
    m = types.ModuleType(name)
    for k, v in attrs.items():
        if hasattr(v, '__qualname__'):
            v.__module__ = name
            v.__qualname__ = k
            v.__name__ = k
        setattr(m, k, v)
    sys.modules[name] = m
    return m


def _rebuild_tensor_v2(*args):
    raise AssertionError('never called')


def _rebuild_parameter(*args):
    raise AssertionError('never called')


class FloatStorage: pass
class DoubleStorage: pass
class HalfStorage: pass
class LongStorage: pass


torch = fake_module('torch', FloatStorage=FloatStorage, DoubleStorage=DoubleStorage,
                    HalfStorage=HalfStorage, LongStorage=LongStorage)
torch._utils = fake_module('torch._utils', _rebuild_tensor_v2=_rebuild_tensor_v2,
                           _rebuild_parameter=_rebuild_parameter)

STORAGE_TYPES = {np.float32: FloatStorage, np.float64: DoubleStorage, np.float16: HalfStorage,
                 np.int64: LongStorage}


class Storage:
    """A torch storage: pickled as a persistent id, its bytes go to data/<key>."""

    def __init__(self, key, array):
        self.key, self.array = key, np.ascontiguousarray(array).ravel()


class View:
    """A tensor: _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args)


class Param:
    def __init__(self, view):
        self.view = view

    def __reduce__(self):
        return (_rebuild_parameter, (self.view, True, collections.OrderedDict()))


class StateDict(collections.OrderedDict):
    """torch 2.x state dicts carry `_metadata`, pickled as BUILD state after the items."""

    def __reduce__(self):
        return (collections.OrderedDict, (), {'_metadata': collections.OrderedDict([('', {'version': 1})])},
                None, iter(self.items()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            stype = STORAGE_TYPES[obj.array.dtype.type]
            return ('storage', stype, obj.key, 'cpu', obj.array.size)
        return None


def torch_zip(path, obj, protocol, archive='archive', storages=(), byteorder=None, big_endian=False):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=protocol).dump(obj)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr(archive + '/data.pkl', buf.getvalue())
        if byteorder:
            z.writestr(archive + '/byteorder', byteorder)
        for s in storages:
            a = s.array.astype(s.array.dtype.newbyteorder('>' if big_endian else '<'))
            z.writestr(archive + '/data/' + s.key, a.tobytes())
        z.writestr(archive + '/version', '3\n')


def strided_checkpoint(protocol, big_endian=False):
    base = np.arange(12, dtype=np.float32) * 0.5 - 2          # one storage, several views
    f64 = np.array([1.5, -2.25, 3.125], dtype=np.float64)
    f16 = np.array([0.5, -1.0, 65504.0, 6.1035156e-05], dtype=np.float16)
    steps = np.array([7], dtype=np.int64)
    s_base, s_f64, s_f16, s_steps = (Storage('0', base), Storage('1', f64), Storage('2', f16),
                                     Storage('3', steps))
    sd = StateDict()
    sd['rows.weight'] = View(s_base, 0, (3, 4), (4, 1))            # contiguous
    sd['rows_t.weight'] = View(s_base, 0, (4, 3), (1, 4))          # transposed view of the same storage
    sd['tail.bias'] = Param(View(s_base, 8, (4,), (1,)))           # offset, wrapped as nn.Parameter
    sd['every_other'] = View(s_base, 1, (2, 3), (6, 2))            # general stride
    sd['double'] = View(s_f64, 0, (3,), (1,))
    sd['half'] = View(s_f16, 0, (2, 2), (2, 1))
    sd['bn.num_batches_tracked'] = View(s_steps, 0, (), ())       # 0-dim int64
    expected = {
        'rows.weight': base.reshape(3, 4),
        'rows_t.weight': base.reshape(3, 4).T.copy(),
        'tail.bias': base[8:12],
        'every_other': np.lib.stride_tricks.as_strided(base[1:], (2, 3), (24, 8)).copy(),
        'double': f64,
        'half': f16.reshape(2, 2),
        'bn.num_batches_tracked': steps.reshape(()),
    }
    wrapped = {'state_dict': sd, 'epoch': 3, 'batch_id': 1200, 'lr': 0.1, 'note': 'crafted'}
    return wrapped, [s_base, s_f64, s_f16, s_steps], expected


def main():
    out = lambda name: os.path.join(HERE, name)

    for protocol in (2, 5):
        obj, storages, expected = strided_checkpoint(protocol)
        torch_zip(out(f'strided_p{protocol}.pt'), obj, protocol, archive=f'some_stem_p{protocol}',
                  storages=storages)
    obj, storages, expected = strided_checkpoint(2)
    torch_zip(out('big_endian.pt'), obj, 2, storages=storages, byteorder='big', big_endian=True)
    np.savez(out('strided_expected.npz'), **expected)

    # A pickle that runs a shell command on torch.load (os.system pickles as posix.system).
    class Pwn:
        def __reduce__(self):
            return (os.system, ('echo pwned',))
    torch_zip(out('posix_system.pt'), {'state_dict': Pwn()}, 4)

    # A whole pickled model (torch.save(model)) instantiates the model's class.
    class MobileFaceNet:
        pass
    fake_module('backbone')
    fake_module('backbone.MobileFaceNets', MobileFaceNet=MobileFaceNet)
    m = MobileFaceNet()
    m.training = True
    torch_zip(out('whole_model.pt'), m, 2)

    # npy variants NumPy writes.
    np.save(out('fortran_f8.npy'), np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) + 0.25))
    np.save(out('big_endian_i4.npy'), np.array([[1, -2], [300000, -4]], dtype='>i4'))
    np.save(out('half.npy'), np.array([1.0, -0.5, 65504.0, 6e-8], dtype=np.float16))
    np.save(out('scalar_i8.npy'), np.array(42, dtype=np.int64))
    np.save(out('bool.npy'), np.array([True, False, True]))
    with open(out('version2_f4.npy'), 'wb') as f:
        np.lib.format.write_array(f, np.arange(5, dtype=np.float32), version=(2, 0))
    np.savez(out('object_array.npz'), ok=np.ones(2, dtype=np.float32),
             bad=np.array([{'a': 1}, None], dtype=object))
    np.savez_compressed(out('compressed.npz'), w=np.arange(1000, dtype=np.float32).reshape(10, 100),
                        b=np.arange(3, dtype=np.int64))

    # safetensors written by hand from the spec (the safetensors package is not installed): header
    # keys deliberately not in data order, metadata, space padding to 8 bytes.
    a = np.array([1, -2, 3], dtype='<i8')
    b = np.array([[0.5, 1.5], [-2.0, 4.0]], dtype='<f4')
    c = np.array([1.0, -2.0], dtype='<f2')
    data = b.tobytes() + a.tobytes() + c.tobytes()
    header = {
        'c': {'dtype': 'F16', 'shape': [2], 'data_offsets': [40, 44]},
        '__metadata__': {'format': 'pt', 'source': 'crafted \u00e9'},
        'b': {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [0, 16]},
        'a': {'dtype': 'I64', 'shape': [3], 'data_offsets': [16, 40]},
    }
    h = json.dumps(header).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(out('handmade.safetensors'), 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + data)


if __name__ == '__main__':
    main()
