# One-off independent check (numpy + scipy, not run by the tests): an HF-architecture BERT forward in
# float64 over a converted model.safetensors, compared with bert_base_uncased_forward.json.
# Usage: python3 check_forward.py OUT/model.safetensors   (with OUT/vocab.txt next to it)
# Result on 2026-11-23: CLS hidden first16 max |diff| 2.4e-6, pooler 1.3e-6, all 3 masked-LM top-5 lists equal,
# logits within 5.1e-5 (the fixture rounds them to 4 decimals).
import json, os, struct, sys, numpy as np
from math import erf
def load(path):
    d=open(path,'rb').read(); n=struct.unpack('<Q',d[:8])[0]; h=json.loads(d[8:8+n]); base=8+n; out={}
    for k,v in h.items():
        if k=='__metadata__': continue
        b,e=v['data_offsets']; out[k]=np.frombuffer(d[base+b:base+e],dtype='<f4').reshape(v['shape'])
    return out
W=load(sys.argv[1]); fx=json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bert_base_uncased_forward.json')))
def ln(x,w,b,eps=1e-12):
    m=x.mean(-1,keepdims=True); v=((x-m)**2).mean(-1,keepdims=True); return (x-m)/np.sqrt(v+eps)*w+b
import scipy.special as sp
def gelu(x): return 0.5*x*(1+sp.erf(x/np.sqrt(2)))
def lin(x,p): return x@W[p+'.weight'].T+W[p+'.bias']
def enc(ids,tt):
    ids=np.array(ids); T=len(ids)
    x=W['bert.embeddings.word_embeddings.weight'][ids]+W['bert.embeddings.position_embeddings.weight'][:T]+W['bert.embeddings.token_type_embeddings.weight'][np.array(tt)]
    x=ln(x,W['bert.embeddings.LayerNorm.weight'],W['bert.embeddings.LayerNorm.bias']).astype(np.float64)
    for l in range(12):
        p=f'bert.encoder.layer.{l}.'
        q=lin(x,p+'attention.self.query').reshape(T,12,64).transpose(1,0,2)
        k=lin(x,p+'attention.self.key').reshape(T,12,64).transpose(1,0,2)
        v=lin(x,p+'attention.self.value').reshape(T,12,64).transpose(1,0,2)
        s=q@k.transpose(0,2,1)/8.0; s=np.exp(s-s.max(-1,keepdims=True)); s/=s.sum(-1,keepdims=True)
        c=(s@v).transpose(1,0,2).reshape(T,768)
        x=ln(lin(c,p+'attention.output.dense')+x,W[p+'attention.output.LayerNorm.weight'],W[p+'attention.output.LayerNorm.bias'])
        h=gelu(lin(x,p+'intermediate.dense'))
        x=ln(lin(h,p+'output.dense')+x,W[p+'output.LayerNorm.weight'],W[p+'output.LayerNorm.bias'])
    return x
for f in fx['forward']:
    x=enc(f['input_ids'],f['token_type_ids'])
    print('cls first16 maxdiff', np.abs(x[0,:16]-np.array(f['last_hidden_state_cls_first16'])).max())
    pooled=np.tanh(lin(x[0],'bert.pooler.dense'))
    for k in f:
        if 'pool' in k and isinstance(f[k],list): print(k, np.abs(pooled[:len(f[k])]-np.array(f[k])).max())
print([k for k in fx['forward'][0]])
vocab=open(os.path.join(os.path.dirname(sys.argv[1]), 'vocab.txt')).read().split('\n')
idx={t:i for i,t in enumerate(vocab)}
for m in fx['masked_lm']:
    ids=[idx[t] for t in m['tokens']]; x=enc(ids,[0]*len(ids)); pos=m['tokens'].index('[MASK]')
    h=gelu(lin(x[pos],'cls.predictions.transform.dense')); h=ln(h,W['cls.predictions.transform.LayerNorm.weight'],W['cls.predictions.transform.LayerNorm.bias'])
    logits=h@W['bert.embeddings.word_embeddings.weight'].T+W['cls.predictions.bias']
    top=np.argsort(-logits)[:5]; print([vocab[i] for i in top], m['top5'], np.abs(logits[top]-np.array(m['top5_logits'])).max())
