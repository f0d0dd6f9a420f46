require "fileinto";
if size :over 500K { fileinto "Lire_plus_tard"; }
