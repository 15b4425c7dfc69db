"""UNISAL presets trained by ``examples/train_unisal.py`` (see docs/results/unisal/).

Plain data, read without importing Keras; each preset is bundled under ``keras_saliency/zoo/presets/``
(the whole network: the EfficientNet-Lite0 encoder is fine-tuned, so its weights are in the preset).
"""

PRESETS = {'unisal_lite0_mit1003_osie': {'model_class': 'keras_saliency>UNISAL',
                               'description': 'UNISAL with an efficientnet_lite0 encoder (imagenet '
                                              'initialisation), domains mit1003, osie, trained 6 epochs at '
                                              '288x384',
                               'training_data': 'mit1003, osie: training folds (fold 0 test, fold 1 '
                                                'validation, seed 0)',
                               'parameter_count': 4885076,
                               'size_mb': 20.144,
                               'metrics': {'mit1003 held-out (fold 0)/auc_judd': 0.8839068420069603,
                                           'mit1003 held-out (fold 0)/nss': 2.3592419709688626,
                                           'mit1003 held-out (fold 0)/cc': 0.7884849864008839,
                                           'mit1003 held-out (fold 0)/information_gain': 0.892195094319486,
                                           'osie held-out (fold 0)/auc_judd': 0.9095240702895491,
                                           'osie held-out (fold 0)/nss': 2.8524993762890984,
                                           'osie held-out (fold 0)/cc': 0.7964123891763614,
                                           'osie held-out (fold 0)/information_gain': 1.5698250235105216},
                               'hub': None}}
