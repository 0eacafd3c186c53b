"""Pretrained text models, as Hugging Face lays them out: BERT (``BertModel``, ``BertForSequenceClassification``,
``BertConfig``) loading ``transformers`` checkpoints, and sentence embeddings (``SentenceEmbedder``,
``mean_pooling``) as sentence-transformers computes them.

>>> from ember.text.models import BertConfig
>>> BertConfig().num_hidden_layers
12
"""

from ._outputs import BaseModelOutputWithPooling, ModelOutput, SequenceClassifierOutput
from .bert import BertConfig, BertForSequenceClassification, BertModel, BertPreTrainedModel
from .sentence import SentenceEmbedder, cls_pooling, max_pooling, mean_pooling

__all__ = ["BertConfig", "BertModel", "BertForSequenceClassification", "BertPreTrainedModel", "ModelOutput",
           "BaseModelOutputWithPooling", "SequenceClassifierOutput", "SentenceEmbedder", "mean_pooling",
           "cls_pooling", "max_pooling"]
