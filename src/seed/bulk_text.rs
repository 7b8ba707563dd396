//! The generated text of a bulk forum: titles and bodies drawn word by word from English, Chinese and
//! code vocabularies with a Zipf-like frequency (the `r`-th word of a list about `1/r` as often as the
//! first), plus a long tail of rare generated words (run names, version-like identifiers, Chinese
//! compounds). Common words then match many posts and rare words few, as in a real forum: the bench
//! queries' words sit where a search engine finds them hard (`attention` in about a fifth of the
//! posts, `attention sequence length` together in well under 1%).
//!
//! Texts come in the four kinds the forum holds (English, Chinese, code with English, Chinese and
//! English mixed). A pool of them is made here, tokenised word by word once (the tokens of
//! space-separated words are the tokens of the whole text), and the database picks a pool entry for
//! each post by its id (`seed::bulk`).
use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::search::index::tsvector_literal;
use crate::search::tokenize::index_text;

/// English words, most frequent first (technical forum English: function words, then the field's).
const ENGLISH: &str = "the to a of and in is for how with on it model attention training i when \
    layer data my gpu memory loss length batch why but not this from can size token does learning \
    rate input output weights what time tensor error fine-tuning inference dataset embedding \
    sequence transformer context performance vector network shape gradient optimizer parameters \
    results after should run python large small scale slow fast best way accuracy validation test \
    eval precision quantization llama bert gpt prompt tokenizer vocabulary decoder encoder head \
    heads cache kv throughput latency server cpu cuda kernel bandwidth norm dropout activation relu \
    softmax logits probability sampling temperature beam search retrieval index query key value \
    matrix multiplication sparse dense linear convolution image vision text language translation \
    summarization classification regression label labels noise overfitting regularization weight \
    decay schedule warmup epoch epochs checkpoint save load export onnx runtime deploy docker \
    cluster node nodes distributed parallel pipeline sharding deepspeed fsdp zero offload mixed \
    fp16 bf16 int8 int4 lora adapter rank alpha merge base chat instruction rlhf reward policy ppo \
    dpo preference alignment safety benchmark metric perplexity bleu rouge f1 recall score compare \
    difference between better worse stable unstable nan diverges converge freeze frozen backbone \
    pretrained pretraining corpus clean dedup filter shuffle split stream loader worker workers \
    augmentation resize crop normalize mean std variance distribution initialization residual skip \
    connection position positional rotary alibi window flash fused operator graph compile trace \
    profile profiler bottleneck oom allocation fragmentation peak usage vram hbm a100 h100 \
    multi-gpu nccl allreduce communication overlap step steps accumulation clipping exploding \
    vanishing long short sliding chunk chunks document documents answer question example simple \
    minimal reproduce bug issue version upgrade install environment conda pip wheel build source \
    windows linux mac";

/// Chinese words, most frequent first.
const CHINESE: &str = "的 了 是 在 我 模型 训练 和 时 有 显存 为什么 怎么 数据 一个 推理 长度 如何 \
    不 就 参数 效果 可以 损失 这个 微调 序列 速度 显卡 报错 梯度 学习率 注意力机制 大模型 占用 优化 \
    量化 部署 精度 混合 检查点 内存 溢出 分布式 并行 多卡 通信 数据集 清洗 标注 分词 词表 向量 嵌入 \
    检索 召回 排序 评估 指标 准确率 困惑度 过拟合 正则化 收敛 发散 初始化 权重 衰减 调度 预热 轮次 \
    保存 加载 导出 服务 延迟 吞吐 并发 缓存 算子 融合 内核 编译 图像 文本 语音 翻译 摘要 分类 生成 \
    采样 温度 解码 编码器 解码器 归一化 激活 函数 残差 位置编码 旋转 窗口 稀疏 稠密 矩阵 乘法 带宽 \
    瓶颈 峰值 碎片 分配 上下文 长文本 提示词 指令 对齐 奖励 偏好 强化学习 安全 基准 测试 对比 区别 \
    稳定 冻结 预训练 语料 去重 过滤 打乱 切分 增强 均值 方差 分布 环境 安装 版本 升级 依赖 源码 \
    复现 例子 简单 平方 增长 减少 读写 节点 集群 流水线 张量 切片 卸载 低秩 适配器 合并 对话 中文 \
    英文 开源 本地 服务器";

/// Code identifiers and error texts, most frequent first.
const CODE: &str = "torch.cuda model.eval() loss.backward() torch.nn.Module optimizer.step() \
    state_dict DataLoader nn.Linear AutoModel AutoTokenizer from_pretrained Trainer \
    TrainingArguments forward __init__ self.attn F.softmax torch.float16 cuda:0 device_map \
    model.generate max_new_tokens input_ids attention_mask past_key_values torch.compile \
    nn.LayerNorm nn.Embedding nn.Dropout register_forward_hook load_state_dict strict=False \
    torch.save torch.load np.array pandas.DataFrame tokenizer.encode tokenizer.decode pad_token_id \
    eos_token num_workers pin_memory batch_size lr_scheduler get_linear_schedule_with_warmup AdamW \
    GradScaler autocast torch.distributed init_process_group DistributedDataParallel FSDP \
    deepspeed.initialize accelerate peft LoraConfig get_peft_model bitsandbytes load_in_4bit vllm \
    SamplingParams onnxruntime InferenceSession triton.jit tl.load __global__ cudaMalloc \
    cudaMemcpy threadIdx.x blockDim std::vector c++ CMakeLists.txt requirements.txt RuntimeError \
    ValueError KeyError TypeError IndexError x.view x.reshape x.permute torch.matmul einsum \
    scaled_dot_product_attention flash_attn xformers nn.MultiheadAttention causal_mask rotary_emb \
    kv_cache";

/// Stems of the rare English and code words (`ckpt4711`, `config_v318`).
const RARE_STEMS: [&str; 10] = [
    "ckpt", "run", "exp", "layer", "job", "step", "node", "config", "patch", "shard",
];
/// Characters the rare Chinese compounds are made of.
const RARE_HAN: &str = "卷积池化蒸馏剪枝对抗扩散变分图谱聚类降维回归特征样本标签批次通道像素帧率语义句法实体关系事件情感意图槽位知识推断检测跟踪分割重建";

/// Share of words drawn from the rare tail.
const RARE_SHARE: f64 = 0.12;
/// Rare words per language.
const RARE_WORDS: usize = 4_000;

/// One vocabulary word: as written, and its search tokens.
#[derive(Clone)]
struct Word {
    text: String,
    tokens: String,
}

struct Vocabulary {
    words: Vec<Word>,
    /// Cumulative Zipf weights of `words`.
    cumulative: Vec<f64>,
    rare: Vec<Word>,
}

impl Vocabulary {
    fn new(list: &str, rare: Vec<String>) -> Self {
        let mut seen = HashMap::new();
        let mut words = Vec::new();
        for text in list.split_whitespace() {
            if seen.insert(text, ()).is_none() {
                words.push(word(text));
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Vocabulary {
            words,
            cumulative,
            rare: rare.iter().map(|t| word(t)).collect(),
        }
    }

    fn draw(&self, rng: &mut StdRng) -> &Word {
        if rng.gen_bool(RARE_SHARE) {
            return &self.rare[rng.gen_range(0..self.rare.len())];
        }
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let at = rng.gen::<f64>() * total;
        let index = self.cumulative.partition_point(|c| *c < at);
        &self.words[index.min(self.words.len() - 1)]
    }
}

fn word(text: &str) -> Word {
    Word {
        text: text.to_string(),
        tokens: index_text(text),
    }
}

/// One generated text: a title and a body, each as written and as search tokens, and (for
/// PostgreSQL) the tsvector of a post with that title and of an answer with that body.
#[derive(Debug, Clone)]
pub struct BulkText {
    pub title: String,
    pub title_tokens: String,
    pub body: String,
    pub body_tokens: String,
    pub titled_vector: String,
    pub body_vector: String,
}

/// `count` texts, the same ones for the same count (a fixed seed); text `t` is of kind `t % 4`:
/// English, Chinese, code with English, Chinese and English mixed.
pub fn pool(count: usize) -> Vec<BulkText> {
    let english = Vocabulary::new(
        ENGLISH,
        (0..RARE_WORDS)
            .map(|k| format!("{}{}", RARE_STEMS[k % RARE_STEMS.len()], 100 + k))
            .collect(),
    );
    let han: Vec<char> = RARE_HAN.chars().collect();
    let chinese = Vocabulary::new(
        CHINESE,
        (0..RARE_WORDS)
            .map(|k| {
                let a = han[k % han.len()];
                let b = han[(k / han.len() + k) % han.len()];
                let c = han[(k * 7 + 3) % han.len()];
                format!("{a}{b}{c}")
            })
            .collect(),
    );
    let code = Vocabulary::new(
        CODE,
        (0..RARE_WORDS)
            .map(|k| format!("{}_v{}", RARE_STEMS[k % RARE_STEMS.len()], k))
            .collect(),
    );
    let mut rng = StdRng::seed_from_u64(0x5EED_A60A);
    (0..count)
        .map(|t| {
            let kind = t % 4;
            let pick = |rng: &mut StdRng| -> Word {
                let vocabulary = match kind {
                    0 => &english,
                    1 => &chinese,
                    2 if rng.gen_bool(0.35) => &code,
                    2 => &english,
                    _ => match rng.gen_range(0..20) {
                        0..=9 => &chinese,
                        10..=16 => &english,
                        _ => &code,
                    },
                };
                vocabulary.draw(rng).clone()
            };
            let title_words = rng.gen_range(5..=9);
            let body_words = rng.gen_range(18..=48);
            let title: Vec<Word> = (0..title_words).map(|_| pick(&mut rng)).collect();
            let body: Vec<Word> = (0..body_words).map(|_| pick(&mut rng)).collect();
            let join = |words: &[Word], tokens: bool| -> String {
                words
                    .iter()
                    .map(|w| if tokens { &w.tokens } else { &w.text })
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let title_tokens = join(&title, true);
            let body_tokens = join(&body, true);
            BulkText {
                title: join(&title, false),
                titled_vector: tsvector_literal(&[(&title_tokens, 'A'), (&body_tokens, 'D')]),
                body_vector: tsvector_literal(&[(&body_tokens, 'D')]),
                title_tokens,
                body: join(&body, false),
                body_tokens,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share_with(texts: &[BulkText], token: &str) -> f64 {
        let with = texts
            .iter()
            .filter(|t| {
                format!("{} {}", t.title_tokens, t.body_tokens)
                    .split(' ')
                    .any(|w| w == token)
            })
            .count();
        with as f64 / texts.len() as f64
    }

    #[test]
    fn common_words_match_many_texts_and_rare_words_few() {
        let texts = pool(4_000);
        let attention = share_with(&texts, "attention");
        assert!((0.1..0.4).contains(&attention), "attention in {attention}");
        let memory = share_with(&texts, "显存");
        assert!((0.05..0.4).contains(&memory), "显存 in {memory}");
        let module = share_with(&texts, "torch.nn.module");
        assert!((0.01..0.2).contains(&module), "torch.nn.module in {module}");
        let rare = share_with(&texts, "ckpt100");
        assert!(rare < 0.01, "ckpt100 in {rare}");
    }

    #[test]
    fn tokens_are_those_of_the_whole_text_and_the_pool_is_fixed() {
        let texts = pool(40);
        for text in &texts {
            assert_eq!(text.title_tokens, index_text(&text.title));
            assert_eq!(text.body_tokens, index_text(&text.body));
        }
        assert_eq!(pool(40)[17].body, texts[17].body);
        assert!(texts[1].title.chars().any(crate::domain::is_cjk));
    }
}
