import sys

from keras_saliency.cli import main

sys.exit(main())
